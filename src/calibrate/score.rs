//! How well a quad is supported by the image: the fraction of each side (rounded corners left out)
//! that lies on a strong edge running along it, and the grey-level contrast between just inside
//! and just outside the sides.

use glam::Vec2;

use super::edges::Gradients;
use super::gray::GrayImage;

/// The ends of each side skipped when scoring: the 3.18 mm corner radius is 3.7 % of the long
/// side, and a little more allows for corner error.
const SKIP_FRACTION: f32 = 0.07;
/// |cos| between the gradient and the side's normal for a sample to count (about 25°).
const MIN_NORMAL_COS: f32 = 0.9;

/// Support for one quad.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Support {
    /// Fraction of each side on an edge along it, 0–1.
    pub sides: [f32; 4],
    /// |mean inside − mean outside| along the sides, grey levels.
    pub contrast: f32,
}

impl Support {
    /// Sides sorted weakest first.
    pub fn sorted(&self) -> [f32; 4] {
        let mut s = self.sides;
        s.sort_by(f32::total_cmp);
        s
    }
}

/// Scores `quad` (working coordinates, in order around the quad) against `gradients` of `image`.
pub(crate) fn support(
    quad: &[Vec2; 4],
    image: &GrayImage,
    gradients: &Gradients,
    edge_threshold: f32,
) -> Support {
    let (w, h) = (gradients.width as i32, gradients.height as i32);
    let centre = quad.iter().copied().sum::<Vec2>() / 4.0;
    let mut sides = [0.0f32; 4];
    let (mut inside, mut outside, mut count) = (0.0f32, 0.0f32, 0.0f32);
    for (i, side) in sides.iter_mut().enumerate() {
        let (p, q) = (quad[i], quad[(i + 1) % 4]);
        let length = p.distance(q);
        let direction = (q - p) / length.max(1e-6);
        let mut normal = direction.perp();
        // Point the normal outwards, away from the quad's centre.
        if normal.dot(p - centre) < 0.0 {
            normal = -normal;
        }
        let samples = (length * (1.0 - 2.0 * SKIP_FRACTION)).clamp(4.0, 200.0) as usize;
        let mut hits = 0;
        for k in 0..samples {
            let t = SKIP_FRACTION + (1.0 - 2.0 * SKIP_FRACTION) * (k as f32 + 0.5) / samples as f32;
            let point = p + (q - p) * t;
            // The best of three pixels across the side tolerates a coarse corner estimate.
            let mut hit = false;
            for offset in [-1.0f32, 0.0, 1.0] {
                let s = point + normal * offset;
                let (x, y) = (s.x.floor() as i32, s.y.floor() as i32);
                if x < 0 || y < 0 || x >= w || y >= h {
                    continue;
                }
                let j = (y * w + x) as usize;
                let m = gradients.magnitude[j];
                if m >= edge_threshold {
                    let g = Vec2::new(gradients.gx[j], gradients.gy[j]) / m;
                    if g.dot(normal).abs() >= MIN_NORMAL_COS {
                        hit = true;
                        break;
                    }
                }
            }
            hits += usize::from(hit);
            inside += image.sample(point - normal * 2.5);
            outside += image.sample(point + normal * 2.5);
            count += 1.0;
        }
        *side = hits as f32 / samples as f32;
    }
    Support {
        sides,
        contrast: ((inside - outside) / count.max(1.0)).abs(),
    }
}
