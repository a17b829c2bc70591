//! A synthetic test set for card detection (issue 4, "How it is checked"): real photos as
//! backgrounds, a procedurally drawn card of varied designs warped in by a known homography, then
//! blur, brightness, noise, JPEG and sometimes a finger over one corner; and negatives, the same
//! photos with no card or with wrong-aspect rectangles. Everything is drawn from a seeded xorshift
//! generator, so a run is reproducible, while the set is generated rather than a fixed list.

use std::sync::OnceLock;

use glam::{DMat3, DVec3, Vec2};
use image::codecs::jpeg::JpegEncoder;

use super::{detect_card, GrayImage};
use crate::math::homography::{
    card_from_corners, Homography, CARD_CORNER_RADIUS_MM, CARD_HEIGHT_MM, CARD_WIDTH_MM,
};

/// The shared photos (never copied into the repository).
const DATA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
const BACKGROUNDS: [&str; 8] = [
    "hands/hagrid_four_palm_man.jpg",
    "hands/hagrid_four_palm_woman.jpg",
    "hands/hands_back_fingers_spread.jpg",
    "hands/pointing_up_palm.jpg",
    "hands/thumb_up_single.jpg",
    "hands/two_thumbs_up.jpg",
    "faces/hagrid_thumbdown_face_ears.jpg",
    "faces/obama_official_portrait.jpg",
];

/// xorshift64*: small, deterministic, good enough for test scenes.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [low, high).
    pub fn range(&mut self, low: f32, high: f32) -> f32 {
        let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        low + (high - low) * unit
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f32) -> bool {
        self.range(0.0, 1.0) < p
    }
    /// Roughly normal (sum of four uniforms), unit variance.
    fn normal(&mut self) -> f32 {
        (0..4).map(|_| self.range(-1.0, 1.0)).sum::<f32>() * 0.866
    }
}

/// An RGB float canvas, 0–255.
#[derive(Clone)]
pub(crate) struct Canvas {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<[f32; 3]>,
}

fn backgrounds() -> &'static Vec<image::RgbImage> {
    static CACHE: OnceLock<Vec<image::RgbImage>> = OnceLock::new();
    CACHE.get_or_init(|| {
        BACKGROUNDS
            .iter()
            .map(|name| {
                let path = format!("{DATA_DIR}/{name}");
                image::open(&path)
                    .unwrap_or_else(|e| panic!("test background {path}: {e}"))
                    .to_rgb8()
            })
            .collect()
    })
}

/// A random crop of a random photo, resampled bilinearly to `width` × `height`.
fn background(rng: &mut Rng, width: usize, height: usize) -> Canvas {
    let photos = backgrounds();
    let photo = &photos[rng.below(photos.len())];
    let (pw, ph) = (photo.width() as f32, photo.height() as f32);
    let aspect = width as f32 / height as f32;
    let max_w = pw.min(ph * aspect);
    let crop_w = max_w * rng.range(0.45, 1.0);
    let crop_h = crop_w / aspect;
    let x0 = rng.range(0.0, pw - crop_w);
    let y0 = rng.range(0.0, ph - crop_h);
    let mut rgb = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            let sx = (x0 + (x as f32 + 0.5) * crop_w / width as f32 - 0.5).clamp(0.0, pw - 1.0);
            let sy = (y0 + (y as f32 + 0.5) * crop_h / height as f32 - 0.5).clamp(0.0, ph - 1.0);
            let (ix, iy) = (sx as u32, sy as u32);
            let (jx, jy) = ((ix + 1).min(pw as u32 - 1), (iy + 1).min(ph as u32 - 1));
            let (fx, fy) = (sx - ix as f32, sy - iy as f32);
            let mut out = [0.0f32; 3];
            for (c, o) in out.iter_mut().enumerate() {
                let at = |x: u32, y: u32| f32::from(photo.get_pixel(x, y)[c]);
                let top = at(ix, iy) * (1.0 - fx) + at(jx, iy) * fx;
                let bottom = at(ix, jy) * (1.0 - fx) + at(jx, jy) * fx;
                *o = top * (1.0 - fy) + bottom * fy;
            }
            rgb.push(out);
        }
    }
    Canvas { width, height, rgb }
}

/// A card (or a distractor) face: colour at a point in mm on a `width` × `height` mm rectangle.
struct Design {
    kind: usize,
    base: [f32; 3],
    second: [f32; 3],
    stripe_mm: f32,
    chip: bool,
    marks: bool,
    seed: u64,
}

impl Design {
    fn random(rng: &mut Rng) -> Design {
        let kind = rng.below(6);
        let random_colour = |rng: &mut Rng| [0, 1, 2].map(|_| rng.range(0.0, 255.0));
        let base = match kind {
            0 => [0, 1, 2].map(|_| rng.range(215.0, 250.0)),
            1 => [0, 1, 2].map(|_| rng.range(10.0, 60.0)),
            2 => {
                // Saturated: one channel high, one low.
                let mut c = [
                    rng.range(0.0, 80.0),
                    rng.range(0.0, 255.0),
                    rng.range(180.0, 255.0),
                ];
                let k = rng.below(3);
                c.swap(0, k);
                c
            }
            _ => random_colour(rng),
        };
        Design {
            kind,
            base,
            second: random_colour(rng),
            stripe_mm: rng.range(3.0, 12.0),
            chip: rng.chance(0.5),
            marks: rng.chance(0.6),
            seed: rng.next_u64(),
        }
    }

    fn colour(&self, u: f32, v: f32, width: f32, height: f32) -> [f32; 3] {
        let mix = |a: [f32; 3], b: [f32; 3], t: f32| [0, 1, 2].map(|i| a[i] * (1.0 - t) + b[i] * t);
        let mut c = match self.kind {
            3 => mix(
                self.base,
                self.second,
                (u / width * 0.7 + v / height * 0.3).clamp(0.0, 1.0),
            ),
            4 => {
                let stripe = ((u + v) / self.stripe_mm).floor() as i32 % 2 == 0;
                if stripe {
                    self.base
                } else {
                    mix(self.base, self.second, 0.6)
                }
            }
            5 => {
                let d = (Vec2::new(u, v) - Vec2::new(width * 0.7, height * 0.4)).length();
                if (d / self.stripe_mm).floor() as i32 % 2 == 0 {
                    self.base
                } else {
                    self.second
                }
            }
            _ => self.base,
        };
        if self.chip && (8.0..20.0).contains(&u) && (18.0..28.0).contains(&v) {
            c = [200.0, 170.0, 90.0];
        }
        if self.marks && (8.0..width - 8.0).contains(&u) && (36.0..48.0).contains(&v) {
            // Rows of "digits": small blocks switched on by a hash, darker or lighter than the base.
            let (col, row) = ((u / 2.2) as u64, ((v - 36.0) / 6.0) as u64);
            let h =
                (self.seed ^ (col * 0x9E37_79B9) ^ (row << 32)).wrapping_mul(0x2545_F491_4F6C_DD1D);
            let in_glyph = (u % 2.2) < 1.6 && ((v - 36.0) % 6.0) < 3.5;
            if in_glyph && (h >> 60) < 11 {
                let lum = c.iter().sum::<f32>() / 3.0;
                c = if lum > 128.0 { [30.0; 3] } else { [225.0; 3] };
            }
        }
        c
    }
}

/// Draws a `width` × `height` mm rounded rectangle through `image_from_card` with 4×4 supersampling.
fn draw_rectangle(
    canvas: &mut Canvas,
    image_from_card: &Homography,
    corners_px: [Vec2; 4],
    size_mm: Vec2,
    radius_mm: f32,
    design: &Design,
) {
    let Ok(card_from_image) = image_from_card.inverse() else {
        return;
    };
    let (lo, hi) = corners_px.iter().fold(
        (Vec2::splat(f32::MAX), Vec2::splat(f32::MIN)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    );
    let x0 = lo.x.floor().max(0.0) as usize;
    let y0 = lo.y.floor().max(0.0) as usize;
    let x1 = (hi.x.ceil() as usize).min(canvas.width);
    let y1 = (hi.y.ceil() as usize).min(canvas.height);
    const S: usize = 4;
    for y in y0..y1 {
        for x in x0..x1 {
            let mut sum = [0.0f32; 3];
            let mut covered = 0;
            for sy in 0..S {
                for sx in 0..S {
                    let p = Vec2::new(
                        x as f32 + (sx as f32 + 0.5) / S as f32,
                        y as f32 + (sy as f32 + 0.5) / S as f32,
                    );
                    let m = card_from_image.apply(p);
                    if inside_rounded(m, size_mm, radius_mm) {
                        let c = design.colour(m.x, m.y, size_mm.x, size_mm.y);
                        sum.iter_mut().zip(c).for_each(|(s, c)| *s += c);
                        covered += 1;
                    }
                }
            }
            if covered > 0 {
                let pixel = &mut canvas.rgb[y * canvas.width + x];
                let alpha = covered as f32 / (S * S) as f32;
                for c in 0..3 {
                    pixel[c] = pixel[c] * (1.0 - alpha) + sum[c] / (S * S) as f32;
                }
            }
        }
    }
}

fn inside_rounded(m: Vec2, size: Vec2, radius: f32) -> bool {
    if !(m.x >= 0.0 && m.y >= 0.0 && m.x <= size.x && m.y <= size.y) {
        return false;
    }
    let nearest = m.clamp(Vec2::splat(radius), size - radius);
    m.distance_squared(nearest) <= radius * radius
}

/// A camera looking at a plane rectangle: the homography mm → px and the projected corners.
fn place_rectangle(
    rng: &mut Rng,
    width: usize,
    height: usize,
    size_mm: Vec2,
    width_px: f32,
    max_tilt_deg: f32,
) -> Option<(Homography, [Vec2; 4])> {
    let image = Vec2::new(width as f32, height as f32);
    let focal = f64::from(image.length() * rng.range(0.6, 1.6));
    let tilt = f64::from(rng.range(0.0, max_tilt_deg)).to_radians();
    let axis_angle = f64::from(rng.range(0.0, std::f32::consts::TAU));
    let roll = f64::from(rng.range(0.0, std::f32::consts::TAU));
    let axis = DVec3::new(axis_angle.cos(), axis_angle.sin(), 0.0);
    let rotation = DMat3::from_axis_angle(axis, tilt) * DMat3::from_rotation_z(roll);
    let distance = focal * f64::from(size_mm.x) / f64::from(width_px);
    let corners_mm = [
        Vec2::ZERO,
        Vec2::new(size_mm.x, 0.0),
        size_mm,
        Vec2::new(0.0, size_mm.y),
    ];
    for _ in 0..20 {
        // Centre anywhere that keeps the rectangle in frame, with a margin.
        let centre_px = Vec2::new(rng.range(0.1, 0.9), rng.range(0.1, 0.9)) * image;
        let offset = (centre_px - image / 2.0).as_dvec2() * distance / focal;
        let centre = DVec3::new(offset.x, offset.y, distance);
        let project = |p: Vec2| {
            let q = rotation * (p - size_mm / 2.0).as_dvec2().extend(0.0) + centre;
            (glam::DVec2::new(q.x, q.y) * focal / q.z).as_vec2() + image / 2.0
        };
        let corners_px = corners_mm.map(project);
        let margin = 4.0;
        if corners_px.iter().all(|p| {
            p.x >= margin && p.y >= margin && p.x <= image.x - margin && p.y <= image.y - margin
        }) {
            let h = Homography::from_four_points(corners_mm, corners_px).ok()?;
            return Some((h, corners_px));
        }
    }
    None
}

/// A finger: a shaded skin capsule from outside the card over `corner_px`, `radius_px` wide.
fn draw_finger(rng: &mut Rng, canvas: &mut Canvas, corner_px: Vec2, outward: Vec2, radius_px: f32) {
    let skins = [
        [224.0, 172.0, 140.0],
        [198.0, 134.0, 102.0],
        [141.0, 85.0, 60.0],
        [240.0, 200.0, 175.0],
    ];
    let skin = skins[rng.below(skins.len())];
    let bend = Vec2::from_angle(rng.range(-0.5, 0.5)).rotate(outward);
    let tip = corner_px - bend * radius_px * rng.range(0.6, 1.6);
    let base = tip + bend * radius_px * 12.0;
    let (lo, hi) = (
        tip.min(base) - radius_px - 2.0,
        tip.max(base) + radius_px + 2.0,
    );
    let x0 = lo.x.max(0.0) as usize;
    let y0 = lo.y.max(0.0) as usize;
    let x1 = (hi.x.max(0.0) as usize).min(canvas.width);
    let y1 = (hi.y.max(0.0) as usize).min(canvas.height);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
            let axis = base - tip;
            let t = ((p - tip).dot(axis) / axis.length_squared()).clamp(0.0, 1.0);
            let d = p.distance(tip + axis * t);
            let alpha = (radius_px - d + 0.5).clamp(0.0, 1.0);
            if alpha > 0.0 {
                // Rounded shading: darker towards the finger's sides.
                let shade = 0.65 + 0.35 * (1.0 - (d / radius_px).powi(2)).max(0.0).sqrt();
                let pixel = &mut canvas.rgb[y * canvas.width + x];
                for c in 0..3 {
                    pixel[c] = pixel[c] * (1.0 - alpha) + skin[c] * shade * alpha;
                }
            }
        }
    }
}

/// Blur (separable box passes ≈ Gaussian), brightness, noise and optional JPEG; then grey.
fn degrade(rng: &mut Rng, canvas: &mut Canvas) -> (GrayImage, Vec<u8>) {
    let (w, h) = (canvas.width, canvas.height);
    if rng.chance(0.6) {
        let radius = 1 + rng.below(2);
        for _ in 0..2 {
            box_blur(canvas, radius);
        }
    }
    let gain = rng.range(0.6, 1.3);
    let bias = rng.range(-20.0, 20.0);
    let sigma = rng.range(0.0, 6.0);
    let mut bytes: Vec<u8> = Vec::with_capacity(w * h * 3);
    for p in &canvas.rgb {
        for c in p {
            bytes.push(
                (c * gain + bias + sigma * rng.normal())
                    .round()
                    .clamp(0.0, 255.0) as u8,
            );
        }
    }
    if rng.chance(0.7) {
        let quality = 50 + rng.below(46) as u8;
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, quality)
            .encode(&bytes, w as u32, h as u32, image::ExtendedColorType::Rgb8)
            .expect("JPEG encoding of a valid buffer");
        bytes = image::load_from_memory(&jpeg)
            .expect("decoding our own JPEG")
            .to_rgb8()
            .into_raw();
    }
    let rgba: Vec<u8> = bytes
        .chunks_exact(3)
        .flat_map(|c| [c[0], c[1], c[2], 255])
        .collect();
    let gray = GrayImage::from_rgba8(w as u32, h as u32, &rgba).expect("valid synthetic frame");
    (gray, rgba)
}

fn box_blur(canvas: &mut Canvas, radius: usize) {
    let (w, h) = (canvas.width, canvas.height);
    let pass = |src: &[[f32; 3]], stride: usize, count: usize, lines: usize, line_stride: usize| {
        let mut out = src.to_vec();
        for line in 0..lines {
            for i in 0..count {
                let mut sum = [0.0f32; 3];
                let lo = i.saturating_sub(radius);
                let hi = (i + radius).min(count - 1);
                for k in lo..=hi {
                    let p = src[line * line_stride + k * stride];
                    sum.iter_mut().zip(p).for_each(|(s, v)| *s += v);
                }
                let n = (hi - lo + 1) as f32;
                out[line * line_stride + i * stride] = sum.map(|s| s / n);
            }
        }
        out
    };
    canvas.rgb = pass(&canvas.rgb, 1, w, h, w);
    canvas.rgb = pass(&canvas.rgb, w, h, w, 1);
}

/// One scene: the frame and, for positives, the true px per mm and corners.
pub(crate) struct Scene {
    pub image: GrayImage,
    /// The same frame in colour, RGBA.
    pub rgba: Vec<u8>,
    pub truth: Option<(f32, [Vec2; 4])>,
    /// A finger covers one corner (positives).
    pub finger: bool,
    /// A wrong-aspect rectangle is in the frame (negatives).
    pub distractor: bool,
    /// Its corners, when it was placed (clockwise from its top-left in its own plane), px.
    pub distractor_corners: Option<[Vec2; 4]>,
    /// The card's design (see [`Design::colour`]: 0 light, 1 dark, 2 saturated, 3 gradient,
    /// 4 striped, 5 ringed), for the diagnostics.
    pub design: Option<usize>,
}

fn frame_size(rng: &mut Rng) -> (usize, usize) {
    let drawn = [(640, 480), (800, 600), (480, 640), (720, 540), (800, 450)][rng.below(5)];
    // `LOUPE_CARD_FRAME=WxH` puts every scene in frames of one size (a diagnostic).
    std::env::var("LOUPE_CARD_FRAME")
        .ok()
        .and_then(|v| {
            let (w, h) = v.split_once('x')?;
            Some((w.parse().ok()?, h.parse().ok()?))
        })
        .unwrap_or(drawn)
}

pub(crate) fn positive(rng: &mut Rng) -> Scene {
    let (w, h) = frame_size(rng);
    positive_sized(rng, w, h)
}

/// A positive scene of a given frame size.
pub(crate) fn positive_sized(rng: &mut Rng, w: usize, h: usize) -> Scene {
    loop {
        let mut canvas = background(rng, w, h);
        let size_mm = Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM);
        let max_width = 400.0f32.min(0.75 * w.min(h) as f32 * 1.586);
        let width_px = (40.0f32.ln() + rng.range(0.0, 1.0) * (max_width.ln() - 40.0f32.ln())).exp();
        let Some((h_true, corners)) = place_rectangle(rng, w, h, size_mm, width_px, 40.0) else {
            continue;
        };
        let Ok(fit) = card_from_corners(corners, Vec2::new(w as f32, h as f32)) else {
            continue;
        };
        let design = Design::random(rng);
        draw_rectangle(
            &mut canvas,
            &h_true,
            corners,
            size_mm,
            CARD_CORNER_RADIUS_MM,
            &design,
        );
        let finger = rng.chance(0.3);
        if finger {
            let k = rng.below(4);
            let centre = corners.iter().copied().sum::<Vec2>() / 4.0;
            let outward = (corners[k] - centre).normalize();
            draw_finger(rng, &mut canvas, corners[k], outward, 8.0 * fit.px_per_mm);
        }
        let (image, rgba) = degrade(rng, &mut canvas);
        return Scene {
            image,
            rgba,
            truth: Some((fit.px_per_mm, corners)),
            finger,
            distractor: false,
            distractor_corners: None,
            design: Some(design.kind),
        };
    }
}

pub(crate) fn negative(rng: &mut Rng) -> Scene {
    let (w, h) = frame_size(rng);
    negative_sized(rng, w, h)
}

/// A positive or a negative scene of a given frame size.
fn scene_sized(rng: &mut Rng, w: usize, h: usize, with_card: bool) -> Scene {
    if with_card {
        positive_sized(rng, w, h)
    } else {
        negative_sized(rng, w, h)
    }
}

/// A negative scene of a given frame size.
pub(crate) fn negative_sized(rng: &mut Rng, w: usize, h: usize) -> Scene {
    let mut canvas = background(rng, w, h);
    let distractor = rng.chance(0.5);
    let mut distractor_corners = None;
    if distractor {
        // A rectangle of the wrong aspect: square-ish (≤ 1.15) or long (≥ 2.3), tilted at most 25°
        // (see `place_rectangle`). More tilt could make it project exactly like a card (a 1.2
        // rectangle tilted 40° about its short axis looks 1.57 wide), which no detector could
        // tell apart without the perspective taper that a small, distant rectangle lacks.
        let aspect = if rng.chance(0.5) {
            rng.range(1.0, 1.15)
        } else {
            rng.range(2.3, 3.0)
        };
        let size_mm = Vec2::new(60.0 * aspect.sqrt(), 60.0 / aspect.sqrt());
        let width_px = rng.range(60.0, 0.6 * w.min(h) as f32);
        if let Some((h_true, corners)) = place_rectangle(rng, w, h, size_mm, width_px, 25.0) {
            // Plain faces only: stripes across a long rectangle bound card-shaped sub-rectangles,
            // which are fair detections rather than false ones.
            let mut design = Design::random(rng);
            design.kind = rng.below(4);
            design.chip = false;
            design.marks = false;
            draw_rectangle(
                &mut canvas,
                &h_true,
                corners,
                size_mm,
                rng.range(0.0, 3.0),
                &design,
            );
            distractor_corners = Some(corners);
        }
    }
    let (image, rgba) = degrade(rng, &mut canvas);
    Scene {
        image,
        rgba,
        truth: None,
        finger: false,
        distractor,
        distractor_corners,
        design: None,
    }
}

/// Mean |inside − outside| grey level 3 px either side of the true sides: how visible the card is.
fn edge_contrast(image: &GrayImage, corners: [Vec2; 4]) -> f32 {
    let centre = corners.iter().copied().sum::<Vec2>() / 4.0;
    let mut total = 0.0;
    for i in 0..4 {
        let (p, q) = (corners[i], corners[(i + 1) % 4]);
        let mut normal = (q - p).normalize().perp();
        if normal.dot(p - centre) < 0.0 {
            normal = -normal;
        }
        for k in 0..20 {
            let at = p + (q - p) * (0.1 + 0.8 * k as f32 / 19.0);
            total += (image.sample(at - normal * 3.0) - image.sample(at + normal * 3.0)).abs();
        }
    }
    total / 80.0
}

/// Is `d` the card whose px per mm is `truth` and whose corners are `corners`: its scale within
/// 5 % and its centre within a tenth of the card's width?
fn is_the_card(d: &super::CardDetection, truth: f32, corners: &[Vec2; 4]) -> bool {
    let centre = |q: &[Vec2; 4]| q.iter().copied().sum::<Vec2>() / 4.0;
    (d.fit.px_per_mm / truth - 1.0).abs() <= 0.05
        && centre(&d.corners_px).distance(centre(corners)) <= 0.1 * truth * CARD_WIDTH_MM
}

fn detect_rgba(scene: &Scene) -> Result<Option<super::CardDetection>, super::CardError> {
    super::detect_card_rgba8(scene.image.width, scene.image.height, &scene.rgba)
}

/// The planes that detection searches in a scene's colour frame.
fn planes_of(scene: &Scene) -> Vec<GrayImage> {
    super::colour::planes_of_rgba8(scene.image.width, scene.image.height, &scene.rgba).unwrap()
}

/// Prints a card found in negative scene `i`: its confidence, tilt, corners and evidence.
fn print_false_card(i: usize, scene: &Scene, d: &super::CardDetection) {
    let planes = planes_of(scene);
    let evidence = super::Search::new(&planes)
        .unwrap()
        .finished()
        .into_iter()
        .find(|(f, _)| quad_distance(&f.corners_px, &d.corners_px) < 0.5)
        .map(|(_, e)| e);
    println!(
        "negative {i}: false card (distractor {}), conf {:.2}, tilt {:.0}°, {:?}, {evidence:?}",
        scene.distractor,
        d.confidence,
        d.fit.tilt_deg(),
        d.corners_px
    );
}

fn percentile(sorted: &[f32], p: f32) -> f32 {
    if sorted.is_empty() {
        return f32::NAN;
    }
    sorted[((sorted.len() - 1) as f32 * p).round() as usize]
}

/// The seed of the card set that CI runs.
const DEFAULT_SET_SEED: u64 = 0x5EED_CA4D;

/// The card set's seed: fixed, so CI is reproducible, unless `LOUPE_CARD_SEED` names another
/// (a hexadecimal number), which draws a fresh set to check that a change is not tuned to this one.
fn set_seed() -> u64 {
    std::env::var("LOUPE_CARD_SEED")
        .ok()
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .unwrap_or(DEFAULT_SET_SEED)
}

/// A plain light rectangle (`size_mm`, rounded by `radius_mm`) on a plain grey 640×480 frame,
/// `width_px` wide, centred, tilted `tilt_deg` about an axis `axis_deg` from its long side, seen
/// by a camera of `focal_diagonals` image diagonals: the frame as RGBA and the corners.
fn tilted_rectangle(
    size_mm: Vec2,
    radius_mm: f32,
    tilt_deg: f32,
    axis_deg: f32,
    focal_diagonals: f32,
    width_px: f32,
) -> (Vec<u8>, [Vec2; 4]) {
    let (w, h) = (640usize, 480usize);
    let image = Vec2::new(w as f32, h as f32);
    let focal = f64::from(focal_diagonals * image.length());
    let distance = focal * f64::from(size_mm.x) / f64::from(width_px);
    let axis = f64::from(axis_deg).to_radians();
    let rotation = DMat3::from_axis_angle(
        DVec3::new(axis.cos(), axis.sin(), 0.0),
        f64::from(tilt_deg).to_radians(),
    );
    let corners_mm = [
        Vec2::ZERO,
        Vec2::new(size_mm.x, 0.0),
        size_mm,
        Vec2::new(0.0, size_mm.y),
    ];
    let corners_px = corners_mm.map(|p| {
        let q = rotation * (p - size_mm / 2.0).as_dvec2().extend(0.0) + DVec3::Z * distance;
        (glam::DVec2::new(q.x, q.y) * focal / q.z).as_vec2() + image / 2.0
    });
    let image_from_card = Homography::from_four_points(corners_mm, corners_px).unwrap();
    let mut canvas = Canvas {
        width: w,
        height: h,
        rgb: vec![[90.0; 3]; w * h],
    };
    let design = Design {
        kind: 0,
        base: [235.0; 3],
        second: [235.0; 3],
        stripe_mm: 5.0,
        chip: false,
        marks: false,
        seed: 1,
    };
    draw_rectangle(
        &mut canvas,
        &image_from_card,
        corners_px,
        size_mm,
        radius_mm,
        &design,
    );
    let rgba = canvas
        .rgb
        .iter()
        .flat_map(|c| {
            [c[0], c[1], c[2]]
                .map(|v| v.round() as u8)
                .into_iter()
                .chain([255])
        })
        .collect();
    (rgba, corners_px)
}

#[test]
fn a_quad_tilted_past_28_degrees_must_taper_as_through_a_phone_lens() {
    let card = Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM);
    let found = |tilt_deg: f32, focal_diagonals: f32| {
        let (rgba, corners) = tilted_rectangle(
            card,
            CARD_CORNER_RADIUS_MM,
            tilt_deg,
            30.0,
            focal_diagonals,
            160.0,
        );
        let found = super::detect_card_rgba8(640, 480, &rgba).unwrap();
        found.map(|d| quad_distance(&d.corners_px, &corners))
    };
    // Through a phone's main lens (about 0.9 image diagonals), a card tilted 37° is found, and
    // through a 3× telephoto (about 77 mm equivalent, 1.75 diagonals).
    assert!(found(37.0, 0.9).is_some_and(|off| off < 1.0));
    assert!(found(37.0, 1.75).is_some_and(|off| off < 1.0));
    // A quad that tapers as through a longer lens is, as far as its corners can tell, a squarer
    // rectangle tilted less: a 1.15 rectangle tilted 25° looks as wide. 2.1 diagonals is just
    // past the bound (it was found at 2.5, the bound before).
    assert_eq!(found(37.0, 2.1), None);
    assert_eq!(found(37.0, 3.0), None);
    // At 15° the taper is too small to tell, and the card is found whatever the lens.
    assert!(found(15.0, 3.0).is_some_and(|off| off < 1.0));
}

#[test]
fn small_cards_in_1280_px_stills_are_found_at_full_detail() {
    // The first sixteen positives under 60 px wide drawn in 1280×720 frames from one seed (15
    // found as a still, 11 live): the live search reads those frames at half size, where such a
    // card is under 30 px wide.
    let mut rng = Rng::new(0x5EED_1280);
    let (mut still, mut live, mut drawn) = (0, 0, 0);
    while drawn < 16 {
        let scene = positive_sized(&mut rng, 1280, 720);
        let (truth, corners) = scene.truth.unwrap();
        if truth * CARD_WIDTH_MM >= 60.0 {
            continue;
        }
        drawn += 1;
        let (w, h) = (scene.image.width, scene.image.height);
        let hit =
            |d: Option<super::CardDetection>| d.is_some_and(|d| is_the_card(&d, truth, &corners));
        still += usize::from(hit(detect_rgba(&scene).unwrap()));
        live += usize::from(hit(
            super::detect_live_card_rgba8(w, h, &scene.rgba).unwrap()
        ));
    }
    println!("small cards at 1280×720: {still} found as a still, {live} live, of {drawn}");
    assert!(still >= live + 3, "{still} as a still, {live} live");
}

#[test]
fn a_square_ish_rectangle_face_on_is_no_card_seen_steeply() {
    // Negative 9 of the fresh negatives of seed 10 (see `false_cards_on_fresh_negatives`): a
    // yellow square-ish rectangle in the lower right of an 800×600 frame, 87 × 73 px as seen and
    // with no measurable taper. Its corners fit a card seen steeply from far off; without the
    // rule of `MAX_UNTAPERED_FORESHORTENING_DEG` it was claimed at 0.68.
    let mut rng = Rng::new(10u64.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xABCD);
    let scene = (0..=9).map(|_| negative(&mut rng)).last().unwrap();
    assert!(scene.distractor);
    let planes = planes_of(&scene);
    let search = super::Search::new(&planes).unwrap();
    let refused = search
        .ranked(super::REFINED_CANDIDATES, super::REFINED_PLACED_CANDIDATES)
        .iter()
        .filter(|c| search.finish(c).err() == Some("refined: steeply seen with no taper"))
        .count();
    assert!(refused > 0);
    assert_eq!(detect_rgba(&scene).unwrap().map(|d| d.confidence), None);
    // A card tilted 38° about its short axis looks 1.25 times as wide as high, but it tapers,
    // and is found; so is one face on.
    let found = |tilt_deg: f32| {
        let card = Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM);
        let (rgba, corners) =
            tilted_rectangle(card, CARD_CORNER_RADIUS_MM, tilt_deg, 90.0, 0.9, 160.0);
        let found = super::detect_card_rgba8(640, 480, &rgba).unwrap();
        found.is_some_and(|d| quad_distance(&d.corners_px, &corners) < 1.0)
    };
    assert!(found(38.0));
    assert!(found(0.0));
}

/// The confidences of the texture search's quads (its best, as detection ranks them) that
/// `search` finishes and `near` accepts.
fn texture_confidences(
    search: &super::Search,
    near: impl Fn(&super::CardDetection) -> bool,
) -> Vec<f32> {
    search
        .with_texture_edges()
        .ranked(super::REFINED_CANDIDATES, super::REFINED_PLACED_CANDIDATES)
        .iter()
        .filter_map(|c| search.finish(c).ok())
        .filter(|(d, _)| near(d))
        .map(|(d, _)| d.confidence)
        .collect()
}

#[test]
fn a_striped_card_whose_sides_break_up_is_found_by_its_texture() {
    // Positive 40 of set 205 (`LOUPE_CARD_SEED=205`): a card striped green and orange, 131 px
    // wide in a 640×480 frame, on a light sleeve, a finger over its lower corner. Where a stripe
    // matches the background its side leaves no edge, and no side of it left a segment; the
    // searches before the texture search found nothing near it, and it was missed.
    let mut rng = Rng::new(0x205);
    let scene = (0..=40).map(|_| positive(&mut rng)).last().unwrap();
    let (truth, corners) = scene.truth.unwrap();
    let planes = planes_of(&scene);
    let search = super::Search::new(&planes).unwrap();
    let near = |d: &super::CardDetection| quad_distance(&d.corners_px, &corners) < 2.0;
    assert!(!search.finished().iter().any(|(d, _)| near(d)));
    let confidences = texture_confidences(&search, near);
    assert!(
        confidences
            .iter()
            .any(|&c| c >= super::MIN_TEXTURE_CONFIDENCE),
        "{confidences:?}"
    );
    let found = detect_rgba(&scene).unwrap().expect("the card is found");
    assert!(near(&found), "{:?} against {corners:?}", found.corners_px);
    let error = (found.fit.px_per_mm / truth - 1.0).abs();
    assert!(error < 0.005, "px/mm off by {:.2} %", 100.0 * error);
}

#[test]
fn a_ringed_card_found_only_by_its_texture_counts_from_0_7() {
    // Positive 9 of the default set: a ringed card 52 px wide in an 800×600 frame. Only the
    // texture search reaches it, and its refined quad scores 0.76: under the 0.8 its quads once
    // counted from, it was missed.
    let mut rng = Rng::new(DEFAULT_SET_SEED);
    let scene = (0..=9).map(|_| positive(&mut rng)).last().unwrap();
    let (truth, corners) = scene.truth.unwrap();
    let planes = planes_of(&scene);
    let search = super::Search::new(&planes).unwrap();
    let near = |d: &super::CardDetection| quad_distance(&d.corners_px, &corners) < 1.0;
    assert!(!search.finished().iter().any(|(d, _)| near(d)));
    let confidences = texture_confidences(&search, near);
    assert!(
        confidences.iter().any(|c| (0.7..0.8).contains(c)),
        "{confidences:?}"
    );
    let found = detect_rgba(&scene).unwrap().expect("the card is found");
    assert!(near(&found), "{:?} against {corners:?}", found.corners_px);
    let error = (found.fit.px_per_mm / truth - 1.0).abs();
    assert!(error < 0.01, "px/mm off by {:.2} %", 100.0 * error);
}

#[test]
fn synthetic_card_set() {
    let mut rng = Rng::new(set_seed());
    let (positives, negatives) = (120, 60);
    let mut errors = Vec::new();
    let mut confidences = Vec::new();
    let mut missed = 0;
    let mut wrong = 0;
    let mut finger_missed = 0;
    for i in 0..positives {
        let scene = positive(&mut rng);
        let (truth, corners) = scene.truth.unwrap();
        let found = detect_rgba(&scene).unwrap();
        match found {
            Some(d) => {
                let error = (d.fit.px_per_mm / truth - 1.0).abs();
                // A detection of something else is a miss, not a precise hit.
                if !is_the_card(&d, truth, &corners) {
                    wrong += 1;
                    println!(
                        "positive {i}: wrong card, error {error:.3}, conf {:.2}",
                        d.confidence
                    );
                } else {
                    errors.push(error);
                    confidences.push(d.confidence);
                    if std::env::var("LOUPE_CARD_TILTS").is_ok() {
                        println!("tilt true {:.1} conf {:.2}", d.fit.tilt_deg(), d.confidence);
                    }
                }
            }
            None => {
                missed += 1;
                finger_missed += usize::from(scene.finger);
                println!(
                    "positive {i}: missed ({}×{}, card {:.0} px wide, design {:?}, finger {}, edge contrast {:.0})",
                    scene.image.width,
                    scene.image.height,
                    truth * CARD_WIDTH_MM,
                    scene.design,
                    scene.finger,
                    edge_contrast(&scene.image, corners)
                );
            }
        }
    }
    let mut false_positives = 0;
    for i in 0..negatives {
        let scene = negative(&mut rng);
        if let Some(d) = detect_rgba(&scene).unwrap() {
            false_positives += 1;
            if std::env::var("LOUPE_CARD_TILTS").is_ok() {
                println!(
                    "tilt false {:.1} conf {:.2}",
                    d.fit.tilt_deg(),
                    d.confidence
                );
            }
            print_false_card(i, &scene, &d);
        }
    }
    errors.sort_by(f32::total_cmp);
    confidences.sort_by(f32::total_cmp);
    println!(
        "confidence of true detections: min {:.2}, p10 {:.2}, median {:.2}",
        percentile(&confidences, 0.0),
        percentile(&confidences, 0.1),
        percentile(&confidences, 0.5)
    );
    let detection_rate = errors.len() as f32 / positives as f32;
    let fp_rate = false_positives as f32 / negatives as f32;
    let median = percentile(&errors, 0.5);
    let p95 = percentile(&errors, 0.95);
    println!(
        "card set: detection {:.1} % ({missed} missed, {finger_missed} of them with a finger, \
         {wrong} wrong), false positives {:.1} %, px/mm error median {:.3} %, p95 {:.3} %",
        detection_rate * 100.0,
        fp_rate * 100.0,
        median * 100.0,
        p95 * 100.0
    );
    // Issue 4's targets are detection ≥ 95 %, false positives ≤ 2 %, median px/mm error ≤ 0.5 %
    // and p95 ≤ 1.5 %. The accuracy targets are met; detection is not yet (89 % on this set,
    // 84–86 % over groups of ten seeds), so its assertion is a regression guard below the level
    // reached, to be raised as the detector improves. False positives are 0 here and 0.7–1.9 %
    // over groups of ten seeds.
    assert!(detection_rate >= 0.85, "detection rate {detection_rate}");
    assert!(fp_rate <= 0.02, "false-positive rate {fp_rate}");
    assert!(median <= 0.005, "median px/mm error {median}");
    assert!(p95 <= 0.015, "p95 px/mm error {p95}");
}

/// The previous frame's corners of a card that has since moved: `corners` turned, scaled and
/// shifted about their centre so that no corner moves more than `max_px`.
fn moved_corners(rng: &mut Rng, corners: [Vec2; 4], max_px: f32) -> [Vec2; 4] {
    let centre = corners.iter().copied().sum::<Vec2>() / 4.0;
    let reach = corners
        .iter()
        .map(|c| c.distance(centre))
        .fold(0.0f32, f32::max);
    // The motion's budget shared between a shift and a turn-and-zoom (px at the farthest corner).
    let budget = rng.range(0.0, max_px);
    let shift_px = budget * rng.range(0.3, 1.0);
    let at_corner_px = budget - shift_px;
    let angle = rng.range(-1.0, 1.0) * at_corner_px / reach;
    let zoom = 1.0 + rng.range(-1.0, 1.0) * (at_corner_px - (angle * reach).abs()) / reach;
    let heading = rng.range(0.0, std::f32::consts::TAU);
    let shift = Vec2::from_angle(heading) * shift_px;
    corners.map(|c| centre + shift + Vec2::from_angle(angle).rotate(c - centre) * zoom)
}

/// Tracking (see `track.rs`): a card whose previous corners are up to 6 px from where it now is
/// is followed, as precisely as a fresh search finds it and in a fraction of the time, and a card
/// that is gone is not claimed: neither from card-shaped quads over a frame without one, nor from
/// the corners of a square-ish or long rectangle there (the negatives' distractors).
#[test]
fn tracked_card_set() {
    let mut rng = Rng::new(set_seed() ^ 0x7ACC);
    // Five card-shaped quads over each frame without a card.
    let (positives, negatives, quads_per_negative) = (80, 80, 5);
    let (mut tracked, mut fresh, mut tracked_not_fresh) = (0, 0, 0);
    let (mut track_s, mut fresh_s) = (0.0, 0.0);
    let mut errors = Vec::new();
    for i in 0..positives {
        let scene = positive(&mut rng);
        let (truth, corners) = scene.truth.unwrap();
        let previous = moved_corners(&mut rng, corners, 6.0);
        let started = std::time::Instant::now();
        let found =
            super::track_card_rgba8(scene.image.width, scene.image.height, &scene.rgba, previous)
                .unwrap()
                .filter(|d| is_the_card(d, truth, &corners));
        track_s += started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let fresh_found = detect_rgba(&scene)
            .unwrap()
            .is_some_and(|d| is_the_card(&d, truth, &corners));
        fresh_s += started.elapsed().as_secs_f64();
        fresh += usize::from(fresh_found);
        if let Some(d) = found {
            tracked += 1;
            tracked_not_fresh += usize::from(!fresh_found);
            errors.push((d.fit.px_per_mm / truth - 1.0).abs());
        } else {
            // Whether it is the motion that loses it, or the checks.
            let from_truth = super::track_card_rgba8(
                scene.image.width,
                scene.image.height,
                &scene.rgba,
                corners,
            )
            .unwrap()
            .is_some_and(|d| is_the_card(&d, truth, &corners));
            println!(
                "positive {i}: lost (card {:.0} px wide, design {:?}, finger {}, found afresh \
                 {fresh_found}, tracked from the true corners {from_truth})",
                truth * CARD_WIDTH_MM,
                scene.design,
                scene.finger
            );
        }
    }
    let (mut claimed, mut rectangles, mut claimed_rectangles) = (0, 0, 0);
    for i in 0..negatives {
        let scene = negative(&mut rng);
        let (w, h) = (scene.image.width as usize, scene.image.height as usize);
        // Whether tracking from `previous` claims a card in this frame without one.
        let claims = |previous: [Vec2; 4], what: &str| {
            let found = super::track_card_rgba8(w as u32, h as u32, &scene.rgba, previous).unwrap();
            if let Some(d) = found {
                println!(
                    "negative {i}: claimed {what}{:?}, conf {:.2}",
                    d.corners_px, d.confidence
                );
            }
            found.is_some()
        };
        let size_mm = Vec2::new(CARD_WIDTH_MM, CARD_HEIGHT_MM);
        for _ in 0..quads_per_negative {
            let width_px = rng.range(40.0, 300.0f32.min(0.75 * w.min(h) as f32 * 1.586));
            let Some((_, previous)) = place_rectangle(&mut rng, w, h, size_mm, width_px, 40.0)
            else {
                continue;
            };
            claimed += usize::from(claims(previous, ""));
        }
        // The hardest case of a card gone: the previous corners right on a rectangle of
        // another shape (square-ish or long, tilted up to 25°) that took its place.
        if let Some(previous) = scene.distractor_corners {
            rectangles += 1;
            claimed_rectangles +=
                usize::from(claims(previous, &format!("the rectangle {previous:?} as ")));
        }
    }
    errors.sort_by(f32::total_cmp);
    println!(
        "time per frame: tracking {:.2} ms, a fresh search {:.2} ms",
        track_s * 1000.0 / positives as f64,
        fresh_s * 1000.0 / positives as f64
    );
    let rate = tracked as f32 / positives as f32;
    let fresh_rate = fresh as f32 / positives as f32;
    let false_rate = claimed as f32 / (negatives * quads_per_negative) as f32;
    let (median, p95) = (percentile(&errors, 0.5), percentile(&errors, 0.95));
    println!(
        "tracked set: tracked {:.1} % (found afresh {:.1} %; {tracked_not_fresh} tracked but not \
         found afresh: {:.1} % by one or the other, as the guided flow looks), claimed where gone \
         {:.1} %, claimed on a rectangle of another shape {claimed_rectangles} of {rectangles}, \
         px/mm error median {:.3} %, p95 {:.3} %",
        rate * 100.0,
        fresh_rate * 100.0,
        (fresh + tracked_not_fresh) as f32 / positives as f32 * 100.0,
        false_rate * 100.0,
        median * 100.0,
        p95 * 100.0
    );
    // It keeps the fresh search's checks, so it refuses most cards that a fresh search misses
    // (83.8 % tracked and found afresh here, 75.0 against 82.5 % on seed 800); the guard is a
    // little under the level reached.
    assert!(rate >= 0.78, "tracked rate {rate}");
    assert!(false_rate <= 0.02, "claimed where gone {false_rate}");
    // None of 209 on this set and seeds 800 to 803.
    assert!(
        claimed_rectangles as f32 <= 0.02 * rectangles as f32,
        "claimed {claimed_rectangles} of {rectangles} rectangles of another shape"
    );
    assert!(median <= 0.005, "median px/mm error {median}");
    assert!(p95 <= 0.015, "p95 px/mm error {p95}");
}

/// Detection time per frame (meaningful in release: `cargo test --release --lib timing --
/// --nocapture`); every frame holds a card, so the full pipeline runs including refinement.
#[test]
fn timing_per_frame() {
    let mut rng = Rng::new(0x7133_0001);
    for (w, h) in [(640, 480), (1280, 720)] {
        let scenes: Vec<Scene> = (0..8).map(|_| positive_sized(&mut rng, w, h)).collect();
        let start = std::time::Instant::now();
        let mut found = 0;
        let rounds = 5;
        for _ in 0..rounds {
            for scene in &scenes {
                found += usize::from(detect_card(&scene.image).unwrap().is_some());
            }
        }
        let per_frame_ms = start.elapsed().as_secs_f64() * 1000.0 / (rounds * scenes.len()) as f64;
        println!("detect_card {w}×{h}: {per_frame_ms:.2} ms per frame ({found} found)");
    }
}

/// Writes the frames that `./x bench` times detection on, natively and in wasm: eight scenes
/// with a card and eight without at 640×480 and at 1280×720, drawn as the test set draws them
/// (photo backgrounds, varied cards, blur, noise, JPEG), as PNG files in the folder
/// `LOUPE_BENCH_FRAMES` names, with `frames.json` listing them. A lone card on a plain floor is
/// found by the first search and costs a fraction of what a camera frame does; a frame without
/// a sure card also pays for the second, half-size search.
#[test]
#[ignore = "writes the benchmark's frames (./x bench)"]
fn write_bench_frames() {
    let dir = std::path::PathBuf::from(
        std::env::var("LOUPE_BENCH_FRAMES").expect("LOUPE_BENCH_FRAMES names the folder"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng::new(0xBE7C_0001);
    let mut listed = Vec::new();
    for (w, h) in [(640, 480), (1280, 720)] {
        for with_card in [true, false] {
            for i in 0..8 {
                let scene = scene_sized(&mut rng, w, h, with_card);
                let kind = if with_card { "card" } else { "none" };
                let file = format!("{w}x{h}_{kind}_{i}.png");
                image::RgbaImage::from_raw(w as u32, h as u32, scene.rgba)
                    .unwrap()
                    .save(dir.join(&file))
                    .unwrap();
                listed.push(format!(
                    "  {{ \"file\": \"{file}\", \"size\": \"{w}x{h}\", \"card\": {with_card} }}"
                ));
            }
        }
    }
    std::fs::write(
        dir.join("frames.json"),
        format!("[\n{}\n]\n", listed.join(",\n")),
    )
    .unwrap();
}

/// Where the time of an RGBA detection goes, stage by stage (release; ignored: timing only).
/// `cargo test --release --lib profile_stages -- --ignored --nocapture`
#[test]
#[ignore]
fn profile_stages() {
    use std::time::Instant;
    let mut rng = Rng::new(0x7133_0001);
    for (w, h) in [(640, 480), (1280, 720)] {
        let scenes: Vec<Scene> = (0..8).map(|_| positive_sized(&mut rng, w, h)).collect();
        let mut t = [0.0f64; 6];
        let mut sub = [0.0f64; 3];
        let mut counts = [0usize; 3];
        let (mut hyps, mut coarse_ok, mut found) = (0, 0, 0);
        let rounds = 3;
        for _ in 0..rounds {
            for scene in &scenes {
                let t0 = Instant::now();
                let planes =
                    super::colour::planes_of_rgba8(w as u32, h as u32, &scene.rgba).unwrap();
                let t1 = Instant::now();
                let search = super::Search::new(&planes).unwrap();
                let t2 = Instant::now();
                // `Search::segments`' steps, timed apart.
                let edge_pixels = search.gradients.thin_edges(search.edge_threshold);
                let edges_done = Instant::now();
                let pieces = super::segments::find_segments(
                    &search.gradients,
                    &edge_pixels,
                    super::MIN_PIECE_PX,
                );
                let pieces_done = Instant::now();
                let npieces = pieces.len();
                let segments = super::segments::merge_collinear(pieces, super::MIN_SEGMENT_PX);
                let t3 = Instant::now();
                sub[0] += (edges_done - t2).as_secs_f64() * 1000.0;
                sub[1] += (pieces_done - edges_done).as_secs_f64() * 1000.0;
                sub[2] += (t3 - pieces_done).as_secs_f64() * 1000.0;
                counts[0] += edge_pixels.len();
                counts[1] += npieces;
                counts[2] += segments.len();
                let quads = search.hypotheses();
                let t4 = Instant::now();
                let mut coarse: Vec<super::Candidate> = quads
                    .iter()
                    .filter_map(|q| search.coarse(*q).ok())
                    .collect();
                let t5 = Instant::now();
                coarse.sort_by(|a, b| b.quality.total_cmp(&a.quality));
                found += coarse
                    .iter()
                    .take(12)
                    .filter(|c| search.finish(c).is_ok())
                    .count()
                    .min(1);
                let t6 = Instant::now();
                hyps += quads.len();
                coarse_ok += coarse.len();
                let _ = segments;
                for (k, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6)]
                    .iter()
                    .enumerate()
                {
                    t[k] += (*b - *a).as_secs_f64() * 1000.0;
                }
            }
        }
        let n = (rounds * scenes.len()) as f64;
        println!(
            "{w}×{h} per frame: planes {:.2} ms, search setup {:.2}, segments {:.2}, \
             hypotheses (incl. segments again) {:.2}, coarse {:.2}, finish ≤12 {:.2}; \
             {:.0} hypotheses, {:.0} pass coarse, {found} found",
            t[0] / n,
            t[1] / n,
            t[2] / n,
            t[3] / n,
            t[4] / n,
            t[5] / n,
            hyps as f64 / n,
            coarse_ok as f64 / n
        );
        println!(
            "  of the segments: thin edges {:.2} ms ({:.0} px), growing {:.2} ({:.0} pieces), \
             joining {:.2} ({:.0} segments)",
            sub[0] / n,
            counts[0] as f64 / n,
            sub[1] / n,
            counts[1] as f64 / n,
            sub[2] / n,
            counts[2] as f64 / n
        );
    }
}

/// The largest corner distance between two quads, over the ways of pairing their corners in order.
fn quad_distance(a: &[Vec2; 4], b: &[Vec2; 4]) -> f32 {
    let mut best = f32::MAX;
    for start in 0..4 {
        for reversed in [false, true] {
            let worst = (0..4)
                .map(|i| {
                    let j = if reversed {
                        (start + 4 - i) % 4
                    } else {
                        (start + i) % 4
                    };
                    a[i].distance(b[j])
                })
                .fold(0.0, f32::max);
            best = best.min(worst);
        }
    }
    best
}

/// Writes a scene with the true quad (magenta) and the found one (green), whole and around
/// `focus`, for [`explain_card_set`].
fn dump_scene(stem: &str, scene: &Scene, focus: [Vec2; 4], found: Option<super::CardDetection>) {
    let corners = focus;

    let mut rgba =
        image::RgbaImage::from_raw(scene.image.width, scene.image.height, scene.rgba.clone())
            .unwrap();
    let mut draw = |quad: [Vec2; 4], colour: [u8; 4]| {
        for k in 0..4 {
            let (p, q) = (quad[k], quad[(k + 1) % 4]);
            let steps = p.distance(q).ceil() as usize * 2;
            for t in 0..=steps {
                let c = p.lerp(q, t as f32 / steps.max(1) as f32);
                let (x, y) = (c.x as u32, c.y as u32);
                if x < rgba.width() && y < rgba.height() && t % 4 < 2 {
                    rgba.put_pixel(x, y, image::Rgba(colour));
                }
            }
        }
    };
    draw(corners, [255, 0, 255, 255]);
    if let Some(d) = found {
        draw(d.corners_px, [0, 255, 0, 255]);
    }
    rgba.save(format!("{stem}.png")).unwrap();
    save_neighbourhood(&rgba, corners, &format!("{stem}_crop.png"));
}

/// Saves the neighbourhood of `focus` (px of `image`), enlarged to about 400 px.
fn save_neighbourhood(image: &image::RgbaImage, focus: [Vec2; 4], path: &str) {
    let (lo, hi) = focus.iter().fold((Vec2::MAX, Vec2::MIN), |(lo, hi), c| {
        (lo.min(*c), hi.max(*c))
    });
    let margin = 0.3 * (hi - lo).max_element();
    let lo = (lo - margin).max(Vec2::ZERO);
    let hi = (hi + margin).min(Vec2::new(image.width() as f32, image.height() as f32));
    let crop = image::imageops::crop_imm(
        image,
        lo.x as u32,
        lo.y as u32,
        (hi.x - lo.x) as u32,
        (hi.y - lo.y) as u32,
    )
    .to_image();
    let zoom = (400.0 / (hi - lo).max_element()).max(1.0);
    image::imageops::resize(
        &crop,
        (crop.width() as f32 * zoom) as u32,
        (crop.height() as f32 * zoom) as u32,
        image::imageops::FilterType::Nearest,
    )
    .save(path)
    .unwrap();
}

/// What the edge detector leaves along a true side from `p` to `q` (working px), one character
/// per px: `#` where the strongest gradient within 1.5 px across the side is an edge pixel whose
/// gradient lies within 23° of the side's normal, `x` an edge pixel at a steeper angle, `n` a
/// gradient over the threshold that non-maximum suppression dropped, `.` none over it. Set
/// against the segments' coverage it tells a side that has no edge (a card matching the
/// background) from one whose edge pixels region growing or joining lost. Set 834's positive 67,
/// a ringed card 88 px wide, reads `#` along 84 % of a side and still has no segment there: its
/// edge pixels fall into regions of about 5 px (under 3 px long, so under
/// [`super::MIN_PIECE_PX`]), as a ring meets the side every few px.
/// `is_edge` holds, per pixel of the search's gradients, whether it is one of their
/// [`thin_edges`](super::edges::Gradients::thin_edges) (see [`edge_pixel_mask`]).
fn edge_pixels_along(search: &super::Search, is_edge: &[bool], p: Vec2, q: Vec2) -> String {
    let gradients = &search.gradients;
    let Some(direction) = (q - p).try_normalize() else {
        return String::new();
    };
    let normal = direction.perp();
    (0..p.distance(q) as usize)
        .map(|t| {
            let at = p + direction * t as f32;
            let strongest = (-3..=3)
                .filter_map(|k| super::score::pixel(gradients, at + normal * (k as f32 * 0.5)))
                .max_by(|&a, &b| gradients.magnitude[a].total_cmp(&gradients.magnitude[b]));
            let Some(j) = strongest else {
                return '.';
            };
            let across = Vec2::new(gradients.gx[j], gradients.gy[j]).normalize_or_zero();
            match (is_edge[j], across.dot(normal).abs() > 0.92) {
                (true, true) => '#',
                (true, false) => 'x',
                (false, _) if gradients.magnitude[j] >= search.edge_threshold => 'n',
                (false, _) => '.',
            }
        })
        .collect()
}

/// Per pixel of the search's gradients, whether non-maximum suppression kept it as an edge.
fn edge_pixel_mask(search: &super::Search) -> Vec<bool> {
    let gradients = &search.gradients;
    let mut is_edge = vec![false; gradients.width * gradients.height];
    for e in gradients.thin_edges(search.edge_threshold) {
        is_edge[e.y as usize * gradients.width + e.x as usize] = true;
    }
    is_edge
}

/// Writes the working image's gradient magnitude (grey), edge pixels (red) and segments (green)
/// around the true card, enlarged, for [`explain_card_set`].
fn dump_edges(stem: &str, search: &super::Search, corners: [Vec2; 4]) {
    let g = &search.gradients;
    let (w, h) = (g.width, g.height);
    let mut picture = image::RgbaImage::new(w as u32, h as u32);
    for (i, m) in g.magnitude.iter().enumerate() {
        let v = (m / search.edge_threshold * 25.0).min(255.0) as u8;
        picture.put_pixel((i % w) as u32, (i / w) as u32, image::Rgba([v, v, v, 255]));
    }
    let is_edge = edge_pixel_mask(search);
    for i in (0..w * h).filter(|&i| is_edge[i]) {
        picture.put_pixel(
            (i % w) as u32,
            (i / w) as u32,
            image::Rgba([255, 0, 0, 255]),
        );
    }
    let shown = if std::env::var("LOUPE_EXPLAIN_PIECES").is_ok() {
        search.pieces()
    } else {
        search.segments()
    };
    for s in shown {
        let steps = (s.length * 2.0).ceil() as usize;
        for t in 0..=steps {
            let c = s.ends[0].lerp(s.ends[1], t as f32 / steps.max(1) as f32);
            if c.x >= 0.0 && c.y >= 0.0 && (c.x as usize) < w && (c.y as usize) < h {
                picture.put_pixel(c.x as u32, c.y as u32, image::Rgba([0, 255, 0, 255]));
            }
        }
    }
    let working = corners.map(|c| c / search.scale);
    if std::env::var("LOUPE_EXPLAIN_PROFILE").is_ok() {
        // Magnitude and the gradient's angle to the side's normal across each side at 40 % and
        // 60 % of its length; * marks edge pixels.
        println!("{stem}: threshold {:.0}", search.edge_threshold);
        for k in 0..4 {
            for t in [0.4f32, 0.6] {
                let (p, q) = (working[k], working[(k + 1) % 4]);
                let normal = (q - p).normalize().perp();
                let mid = p.lerp(q, t);
                let cells: Vec<String> = (-5..=5)
                    .map(|o| {
                        // A side within 5 px of the frame's edge has no pixel there.
                        let Some(i) = super::score::pixel(g, mid + normal * o as f32) else {
                            return "-".to_string();
                        };
                        let m = g.magnitude[i];
                        let cos = (Vec2::new(g.gx[i], g.gy[i]) / m.max(1e-6))
                            .dot(normal)
                            .abs();
                        let star = if is_edge[i] { "*" } else { "" };
                        format!("{m:.0}/{:.0}°{star}", cos.min(1.0).acos().to_degrees())
                    })
                    .collect();
                println!("  side {k} at {t}: {}", cells.join(" "));
            }
        }
    }
    save_neighbourhood(&picture, working, &format!("{stem}.png"));
}

/// Calls `each` with every finished candidate of every scene of the drawn sets `seeds` (hex,
/// comma separated): the seed, the scene's index, the candidate's evidence and whether it is
/// the true card (corners within 5 % of the card's width of the truth). The candidates are those
/// of the first search, or with `LOUPE_EVIDENCE_SEARCH=texture` those of the texture search
/// (see [`super::Search::with_texture_edges`]) in every frame. The sets are read on two threads.
fn for_each_finished(seeds: &str, mut each: impl FnMut(&str, usize, &super::Evidence, bool)) {
    let texture = std::env::var("LOUPE_EVIDENCE_SEARCH").is_ok_and(|v| v == "texture");
    let seeds: Vec<&str> = seeds.split(',').collect();
    let read = |seed: &str| {
        let mut rows = Vec::new();
        let mut rng = Rng::new(u64::from_str_radix(seed, 16).unwrap());
        for i in 0..180 {
            let scene = if i < 120 {
                positive(&mut rng)
            } else {
                negative(&mut rng)
            };
            let planes = planes_of(&scene);
            let search = super::Search::new(&planes).unwrap();
            let finished = if texture {
                search.sure_of(
                    &search.with_texture_edges(),
                    super::REFINED_CANDIDATES,
                    super::REFINED_PLACED_CANDIDATES,
                    0.0,
                )
            } else {
                search.finished()
            };
            for (d, e) in finished {
                let label = scene.truth.is_some_and(|(truth, corners)| {
                    quad_distance(&d.corners_px, &corners) < 0.05 * truth * CARD_WIDTH_MM
                });
                rows.push((i, e, label));
            }
        }
        rows
    };
    let halves = seeds.split_at(seeds.len().div_ceil(2));
    let (first, second) = std::thread::scope(|s| {
        let other = s.spawn(|| halves.1.iter().map(|seed| read(seed)).collect::<Vec<_>>());
        let mine: Vec<_> = halves.0.iter().map(|seed| read(seed)).collect();
        (mine, other.join().unwrap())
    });
    for (seed, rows) in seeds.iter().zip(first.into_iter().chain(second)) {
        for (i, e, label) in rows {
            each(seed, i, &e, label);
        }
    }
}

/// Every finished candidate's evidence over drawn sets (`LOUPE_EVIDENCE_SEEDS`, hex, comma
/// separated), labelled 1 when it is the true card, as CSV at `LOUPE_EVIDENCE_CSV`, for
/// exploring what else a confidence could weigh. Run with `cargo test --release --lib
/// card_evidence_table -- --ignored`.
#[test]
#[ignore = "writes a data table, checks nothing"]
fn card_evidence_table() {
    use std::fmt::Write;
    let seeds = std::env::var("LOUPE_EVIDENCE_SEEDS").unwrap_or_else(|_| "5EEDCA4D".into());
    let mut csv = String::from(
        "seed,scene,label,s0,s1,s2,s3,distance_px,contrast,tilt_deg,width_px,c0,c1,c2,c3,run_on,\
         k0,k1,k2,k3,quality,three_sided\n",
    );
    for_each_finished(&seeds, |seed, i, e, label| {
        let [s0, s1, s2, s3] = e.sides;
        let [c0, c1, c2, c3] = e.corners;
        let [k0, k1, k2, k3] = e.side_contrasts;
        writeln!(
            csv,
            "{seed},{i},{},{s0:.3},{s1:.3},{s2:.3},{s3:.3},{:.3},{:.1},{:.1},{:.1},{c0:.3},\
             {c1:.3},{c2:.3},{c3:.3},{:.3},{k0:.1},{k1:.1},{k2:.1},{k3:.1},{:.3},{}",
            u8::from(label),
            e.distance_px,
            e.contrast,
            e.tilt_deg,
            e.width_px,
            e.run_on,
            e.quality,
            u8::from(e.three_sided)
        )
        .unwrap();
    });
    std::fs::write(
        std::env::var("LOUPE_EVIDENCE_CSV").unwrap_or_else(|_| "card-evidence.csv".into()),
        csv,
    )
    .unwrap();
}

/// Fits the confidence's logistic model ([`super::CONFIDENCE_WEIGHTS`]) to every finished
/// candidate of the drawn sets in `LOUPE_EVIDENCE_SEEDS` (by default the twenty training sets,
/// 100 to 113 hex) and prints the weights as Rust: Newton's method on the mean log-loss of
/// standardised features, with an L2 penalty of 1e-3 on every weight but the bias. Run with
/// `cargo test --release --lib fit_confidence_weights -- --ignored --nocapture` (about 2 min on
/// two cores). `LOUPE_EVIDENCE_SEARCH=texture` fits the texture search's quads instead: a model
/// of their own (11,510 quads of the training sets, 10,133 of them the card), scoring that
/// search's quads from 0.8 or 0.9, found no more cards on 200 to 209 than the shared one from
/// 0.7 (89.5 % and 1.5 % false positives, 89.4 % and 1.3 %, against 89.6 % and 1.3 %).
#[test]
#[ignore = "a fit that prints weights, checks nothing"]
fn fit_confidence_weights() {
    use super::FEATURES;
    let seeds = std::env::var("LOUPE_EVIDENCE_SEEDS").unwrap_or_else(|_| {
        (0x100..0x114)
            .map(|s| format!("{s:X}"))
            .collect::<Vec<_>>()
            .join(",")
    });
    let mut rows: Vec<([f64; FEATURES], f64)> = Vec::new();
    for_each_finished(&seeds, |_, _, e, label| {
        rows.push((e.features().map(f64::from), f64::from(u8::from(label))));
    });
    let n = rows.len() as f64;
    let mut mean = [0.0f64; FEATURES];
    let mut spread = [0.0f64; FEATURES];
    for (x, _) in &rows {
        for k in 0..FEATURES {
            mean[k] += x[k] / n;
        }
    }
    for (x, _) in &rows {
        for k in 0..FEATURES {
            spread[k] += (x[k] - mean[k]).powi(2) / n;
        }
    }
    let spread = spread.map(|v| v.sqrt() + 1e-9);
    // Standardised features and a constant 1 for the bias.
    const D: usize = FEATURES + 1;
    let z: Vec<([f64; D], f64)> = rows
        .iter()
        .map(|(x, y)| {
            let mut v = [1.0; D];
            for k in 0..FEATURES {
                v[k] = (x[k] - mean[k]) / spread[k];
            }
            (v, *y)
        })
        .collect();
    let l2 = 1e-3;
    let mut w = [0.0f64; D];
    for _ in 0..100 {
        let mut gradient = [0.0f64; D];
        let mut hessian = [[0.0f64; D]; D];
        for (v, y) in &z {
            let p = 1.0 / (1.0 + (-(0..D).map(|k| w[k] * v[k]).sum::<f64>()).exp());
            for a in 0..D {
                gradient[a] += (p - y) * v[a] / n;
                for b in 0..D {
                    hessian[a][b] += p * (1.0 - p) * v[a] * v[b] / n;
                }
            }
        }
        for a in 0..FEATURES {
            hessian[a][a] += l2;
            gradient[a] += l2 * w[a];
        }
        let step = solve(hessian, gradient);
        for a in 0..D {
            w[a] -= step[a];
        }
        if step.iter().all(|s| s.abs() < 1e-10) {
            break;
        }
    }
    let weights: Vec<String> = (0..FEATURES)
        .map(|k| format!("{:.4}", w[k] / spread[k]))
        .collect();
    let bias = w[FEATURES]
        - (0..FEATURES)
            .map(|k| w[k] * mean[k] / spread[k])
            .sum::<f64>();
    let cards = rows.iter().filter(|(_, y)| *y > 0.5).count();
    println!("{} quads, {cards} of them the card", rows.len());
    println!(
        "const CONFIDENCE_WEIGHTS: [f32; FEATURES] = [{}];",
        weights.join(", ")
    );
    println!("const CONFIDENCE_BIAS: f32 = {bias:.4};");
}

/// `a`⁻¹ `b` by Gaussian elimination with partial pivoting (`a` is positive definite here).
fn solve<const D: usize>(mut a: [[f64; D]; D], mut b: [f64; D]) -> [f64; D] {
    for col in 0..D {
        let pivot = (col..D)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..D {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; D];
    for row in (0..D).rev() {
        let rest: f64 = (row + 1..D).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    x
}

/// Detection in the element's copies of 1280×720 camera frames, scaled to each long side in
/// `LOUPE_COPY_SIDES` (px, comma-separated; by default 960, searched at half size as the element
/// does, and 800 and 640, searched at full detail, and 1280, the frame itself at half size):
/// detections and false cards over the seeds in `LOUPE_EVIDENCE_SEEDS`. `cargo test --release
/// --lib element_copy_sizes -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn element_copy_sizes() {
    let seeds = std::env::var("LOUPE_EVIDENCE_SEEDS").unwrap_or_else(|_| "5EEDCA4D".into());
    let (w, h) = (1280u32, 720u32);
    let copy = |scene: &Scene, long_side: u32| {
        let (cw, ch) = (long_side, long_side * h / w);
        let full = image::RgbaImage::from_raw(w, h, scene.rgba.clone()).unwrap();
        let small = image::imageops::resize(&full, cw, ch, image::imageops::FilterType::Triangle);
        (cw, ch, small.into_raw())
    };
    let sides = std::env::var("LOUPE_COPY_SIDES").unwrap_or_else(|_| "960,800,640,1280".into());
    for long_side in sides.split(',').map(|s| s.trim().parse::<u32>().unwrap()) {
        let (mut found, mut positives, mut false_cards, mut negatives) = (0, 0, 0, 0);
        // Found and drawn, by the card's longest side in the frame: under 60 px, under 100, more.
        let mut by_width = [[0usize; 2]; 3];
        for seed in seeds.split(',') {
            let mut rng = Rng::new(u64::from_str_radix(seed, 16).unwrap());
            for i in 0..180 {
                let scene = if i < 120 {
                    positive_sized(&mut rng, w as usize, h as usize)
                } else {
                    negative_sized(&mut rng, w as usize, h as usize)
                };
                let scale = long_side as f32 / w as f32;
                let (cw, ch, rgba) = copy(&scene, long_side);
                let d = super::detect_live_card_rgba8(cw, ch, &rgba).unwrap();
                match scene.truth {
                    Some((truth, corners)) => {
                        positives += 1;
                        let width_px = (0..4)
                            .map(|k| corners[k].distance(corners[(k + 1) % 4]))
                            .fold(0.0f32, f32::max);
                        let band = usize::from(width_px >= 60.0) + usize::from(width_px >= 100.0);
                        by_width[band][1] += 1;
                        let corners = corners.map(|c| c * scale);
                        if d.is_some_and(|d| is_the_card(&d, truth * scale, &corners)) {
                            found += 1;
                            by_width[band][0] += 1;
                        }
                    }
                    None => {
                        negatives += 1;
                        false_cards += usize::from(d.is_some());
                    }
                }
            }
        }
        println!(
            "copies {long_side} px long: detection {:.1} % of {positives}, false cards {:.1} % of \
             {negatives}",
            100.0 * found as f32 / positives as f32,
            100.0 * false_cards as f32 / negatives as f32
        );
        println!(
            "  by the card's long side in the frame: under 60 px {:?}, 60-99 px {:?}, 100 px or \
             more {:?} (found, drawn)",
            by_width[0], by_width[1], by_width[2]
        );
    }
}

/// Where each positive the search gets wrong loses its card, and which negatives give a false card
/// (`LOUPE_EXPLAIN_DUMP=DIR` writes their pictures, with `LOUPE_EXPLAIN_PIECES` the pieces
/// before joining rather than the segments; `LOUPE_EXPLAIN_SIDES` lists the segments along each
/// true side, `LOUPE_EXPLAIN_EDGES` a map of the edge pixels along each (see
/// [`edge_pixels_along`]), `LOUPE_EXPLAIN_FINISHED` every finished quad, `LOUPE_EXPLAIN_REASONS`
/// why the coarse checks drop hypotheses, `LOUPE_EXPLAIN_COARSER` all of that for the search at
/// half the working size and `LOUPE_EXPLAIN_TEXTURE` for the search of the texture energy's
/// edges (see [`super::Search::with_texture_edges`]), whose quads are finished as in detection,
/// though detection runs them only where no earlier search was sure; `LOUPE_CARD_SEED` picks the
/// set, `LOUPE_CARD_FRAME` one frame size for all): run with
/// `cargo test --release --lib explain_card_set -- --ignored --nocapture`.
#[test]
#[ignore = "a diagnostic report, not a check"]
fn explain_card_set() {
    use super::Search;
    let mut rng = Rng::new(set_seed());
    for i in 0..120 {
        let scene = positive(&mut rng);
        let (truth, corners) = scene.truth.unwrap();
        let planes = planes_of(&scene);
        // The hypotheses come from `search`; as in detection, quads are finished by `first`.
        let first = Search::new(&planes).unwrap();
        // Another search whose hypotheses to explain, and its slots for refined quads.
        let other = if std::env::var("LOUPE_EXPLAIN_TEXTURE").is_ok() {
            Some((
                first.with_texture_edges(),
                (super::REFINED_CANDIDATES, super::REFINED_PLACED_CANDIDATES),
            ))
        } else if std::env::var("LOUPE_EXPLAIN_COARSER").is_ok() {
            first.coarser().map(|coarser| {
                (
                    coarser,
                    (super::COARSER_CANDIDATES, super::COARSER_PLACED_CANDIDATES),
                )
            })
        } else {
            None
        };
        let search = other.as_ref().map_or(&first, |(other, _)| other);
        let found = detect_rgba(&scene).unwrap();
        let hit = found
            .is_some_and(|d| quad_distance(&d.corners_px, &corners) < 0.05 * truth * CARD_WIDTH_MM);
        if hit {
            continue;
        }
        if let Ok(dir) = std::env::var("LOUPE_EXPLAIN_DUMP") {
            dump_scene(&format!("{dir}/{i:03}"), &scene, corners, found);
            dump_edges(&format!("{dir}/{i:03}_edges"), search, corners);
        }
        let working_truth = corners.map(|c| c / search.scale);
        // The segments along each true side (within 1.5 px and 3° of its line), and how much of
        // the side they cover.
        let segments = search.segments();
        let along_side = |k: usize| {
            let (p, q) = (working_truth[k], working_truth[(k + 1) % 4]);
            let direction = (q - p).normalize();
            segments.iter().filter(move |s| {
                s.direction.perp_dot(direction).abs() < 0.05
                    && s.ends
                        .iter()
                        .all(|e| (*e - p).perp_dot(direction).abs() < 1.5)
            })
        };
        let coverage = [0, 1, 2, 3].map(|k| {
            let (p, q) = (working_truth[k], working_truth[(k + 1) % 4]);
            let (direction, length) = ((q - p).normalize(), p.distance(q));
            along_side(k)
                .map(|s| {
                    let t = s.ends.map(|e| (e - p).dot(direction) / length);
                    (t[0].max(t[1]).min(1.0) - t[0].min(t[1]).max(0.0)).max(0.0)
                })
                .fold(0.0, f32::max)
        });
        if std::env::var("LOUPE_EXPLAIN_SIDES").is_ok() {
            for k in 0..4 {
                for s in along_side(k) {
                    println!(
                        "{i:3} side {k}: segment {:?} length {:.0}",
                        s.ends, s.length
                    );
                }
            }
        }
        let is_edge = edge_pixel_mask(search);
        let edge_maps = [0, 1, 2, 3].map(|k| {
            edge_pixels_along(
                search,
                &is_edge,
                working_truth[k],
                working_truth[(k + 1) % 4],
            )
        });
        let edge_coverage = edge_maps
            .each_ref()
            .map(|map| map.chars().filter(|&c| c == '#').count() as f32 / map.len().max(1) as f32);
        if std::env::var("LOUPE_EXPLAIN_EDGES").is_ok() {
            for (k, map) in edge_maps.iter().enumerate() {
                println!("{i:3} side {k} edges: {map}");
            }
        }
        let hypotheses = search.hypotheses();
        let nearest = hypotheses
            .iter()
            .map(|q| (quad_distance(&q.corners, &working_truth), *q))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if std::env::var("LOUPE_EXPLAIN_REASONS").is_ok() {
            let mut reasons: std::collections::BTreeMap<&str, usize> = Default::default();
            for q in &hypotheses {
                *reasons
                    .entry(search.coarse(*q).err().unwrap_or("pass"))
                    .or_default() += 1;
            }
            println!("{i:3} reasons {reasons:?}");
        }
        if std::env::var("LOUPE_EXPLAIN_FINISHED").is_ok() {
            let finished: Vec<_> = match &other {
                Some((other, (slots, placed_slots))) => other
                    .ranked(*slots, *placed_slots)
                    .iter()
                    .filter_map(|c| first.finish(c).ok())
                    .collect(),
                None => first.finished(),
            };
            for (d, e) in finished {
                println!(
                    "{i:3} finished conf {:.2} off {:.1} px width {:.0} placed {}",
                    d.confidence,
                    quad_distance(&d.corners_px, &corners),
                    e.width_px,
                    e.three_sided
                );
            }
        }
        let passing: Vec<super::Candidate> = hypotheses
            .iter()
            .filter_map(|q| search.coarse(*q).ok())
            .collect();
        let verdict = match nearest {
            Some((d, q)) if d < 10.0 => match search.coarse(q) {
                Err(why) => {
                    let shape = super::shape::order_corners(
                        q.corners.map(|p| p * search.scale),
                        Vec2::new(scene.image.width as f32, scene.image.height as f32),
                    )
                    .map(|(_, e)| e);
                    format!("nearest hypothesis {d:.1} px: coarse rejects: {why} (shape {shape:?})")
                }
                Ok(candidate) => {
                    let (quality, ordered) = (candidate.quality, candidate.corners);
                    let rank = passing.iter().filter(|c| c.quality > quality).count();
                    let placed = if candidate.three_sided {
                        " (placed)"
                    } else {
                        ""
                    };
                    match first.finish(&candidate) {
                        Err(why) => {
                            let [first_pass, second_pass] =
                                super::refine::refine_coarse(&planes, ordered, first.scale);
                            format!(
                                "quality {quality:.2} rank {rank}{placed}: finish rejects: {why} \
                                 (coarse off {:.1}, first {:.1}, second {:.1} px)",
                                quad_distance(&ordered, &corners),
                                quad_distance(&first_pass, &corners),
                                quad_distance(&second_pass, &corners)
                            )
                        }
                        Ok((d, evidence)) => format!(
                            "quality {quality:.2} rank {rank}{placed}: finished conf {:.2}, off {:.1} \
                             px ({evidence:?})",
                            d.confidence,
                            quad_distance(&d.corners_px, &corners)
                        ),
                    }
                }
            },
            Some((d, _)) => format!("no hypothesis near (nearest {d:.1} px)"),
            None => "no hypotheses".to_string(),
        };
        println!(
            "{i:3}: {}×{} card {:.0} px, design {:?}, finger {}, contrast {:.0}, segs {}, hyps {}, sides covered {:.2?} (edges {:.2?}); {verdict}; chosen {}",
            scene.image.width,
            scene.image.height,
            truth * CARD_WIDTH_MM,
            scene.design,
            scene.finger,
            edge_contrast(&scene.image, corners),
            segments.len(),
            hypotheses.len(),
            coverage,
            edge_coverage,
            found.map_or("none".to_string(), |d| format!(
                "conf {:.2} off {:.0} px",
                d.confidence,
                quad_distance(&d.corners_px, &corners)
            )),
        );
    }
    for i in 0..60 {
        let scene = negative(&mut rng);
        if let Some(d) = detect_rgba(&scene).unwrap() {
            print_false_card(i, &scene, &d);
            if let Ok(dir) = std::env::var("LOUPE_EXPLAIN_DUMP") {
                dump_scene(&format!("{dir}/n{i:03}"), &scene, d.corners_px, Some(d));
            }
        }
    }
}

/// False cards on many fresh negatives: `LOUPE_NEGATIVE_FRAMES` (150 unless set) negative scenes
/// drawn from `LOUPE_NEGATIVE_SEED` (decimal, 1 unless set; a stream of its own, not a card set's
/// negatives), each false card with its confidence and whether a distractor was drawn. A card
/// set's 60 negatives put one false card at 1.7 %; twenty seeds of 150 measure a false-positive
/// rate to about ±0.2 %. Run with
/// `LOUPE_NEGATIVE_SEED=1 cargo test --release --lib false_cards_on_fresh_negatives -- --ignored --nocapture`.
#[test]
#[ignore = "a diagnostic report, not a check"]
fn false_cards_on_fresh_negatives() {
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seed = number("LOUPE_NEGATIVE_SEED", 1);
    let frames = number("LOUPE_NEGATIVE_FRAMES", 150) as usize;
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xABCD);
    let mut false_cards = 0;
    for i in 0..frames {
        let scene = negative(&mut rng);
        if let Some(d) = detect_rgba(&scene).unwrap() {
            false_cards += 1;
            println!(
                "negative {seed} {i}: false card, conf {:.3}, distractor {}, tilt {:.1}°",
                d.confidence,
                scene.distractor,
                d.fit.tilt_deg()
            );
        }
    }
    println!(
        "fresh negatives: {false_cards} false cards in {frames} frames ({:.2} %)",
        100.0 * false_cards as f32 / frames.max(1) as f32
    );
}

/// Two drawn scenes whose card the full-size search alone does not claim and the half-size one
/// adds (see `detect_in_planes`): a light card printed with rings, low in contrast against a
/// blurred pale background, and a dark plain card whose lower sides run along a dark patterned
/// carpet. Their seeds were picked by trying the first 400 of this stream; a change to the
/// generator may need new ones.
#[test]
fn cards_that_only_the_half_size_search_finds() {
    assert_only_later_searches_find(
        [0xC0A5_0000 + 120, 0xC0A5_0000 + 167],
        |search| search.finished(),
        "the full-size search claims it alone",
    );
}

/// Asserts of each positive of `seeds` that no quad of `earlier` (the finished quads of the
/// searches that run before the ones under test, given the first search) claims its card, and
/// that detection, with every search, finds it; `earlier_claims` says what failed otherwise.
fn assert_only_later_searches_find(
    seeds: [u64; 2],
    earlier: impl Fn(&super::Search) -> Vec<(super::CardDetection, super::Evidence)>,
    earlier_claims: &str,
) {
    for seed in seeds {
        let scene = positive(&mut Rng::new(seed));
        let (truth, corners) = scene.truth.unwrap();
        let planes = planes_of(&scene);
        let before = earlier(&super::Search::new(&planes).unwrap());
        assert!(
            !before
                .iter()
                .any(|(d, _)| d.confidence >= super::MIN_CONFIDENCE
                    && is_the_card(d, truth, &corners)),
            "{seed:x}: {earlier_claims}; pick another scene"
        );
        let found = detect_rgba(&scene).unwrap();
        assert!(
            found.is_some_and(|d| is_the_card(&d, truth, &corners)),
            "{seed:x}: {found:?}"
        );
    }
}

/// Two drawn scenes whose card neither the full-size search nor the half-size one claims, and
/// the searches of single colour planes add (see `Search::with_edges_of_plane`): a card striped
/// in olive and blue of about one brightness, on a dark brown background, and a purple card
/// printed with grey rings, on a hand, a finger over its lower corner. Their seeds were picked by
/// trying the first 400 of this stream (four such scenes); a change to the generator may need
/// new ones.
#[test]
fn cards_that_only_the_single_plane_searches_find() {
    assert_only_later_searches_find(
        [0xC0A5_0000 + 263, 0xC0A5_0000 + 391],
        |search| {
            let coarser = search
                .coarser()
                .expect("frames of this set are searched at half size");
            let mut finished = search.finished();
            finished.extend(search.sure_of(
                &coarser,
                super::COARSER_CANDIDATES,
                super::COARSER_PLACED_CANDIDATES,
                super::MIN_ADDED_CONFIDENCE,
            ));
            finished
        },
        "the searches of all planes claim it",
    );
}

/// Ranking fits a camera only to the quads that can still reach a slot (see
/// `Search::best_fitted`); here it is checked against fitting every hypothesis and ranking them
/// all, bit for bit, on camera-like frames with and without a card (hundreds of hypotheses each),
/// at the working size and the half size, for the slots of both searches and for a single slot.
#[test]
fn ranking_fits_only_what_can_reach_a_slot_and_keeps_the_full_ranking() {
    fn fully_ranked(
        search: &super::Search,
        slots: usize,
        placed_slots: usize,
    ) -> Vec<super::Candidate> {
        let mut all: Vec<super::Candidate> = search
            .hypotheses()
            .into_iter()
            .filter_map(|h| search.coarse(h).ok())
            .collect();
        all.sort_by(|a, b| {
            a.three_sided
                .cmp(&b.three_sided)
                .then(b.quality.total_cmp(&a.quality))
        });
        let mut kept: Vec<super::Candidate> = Vec::new();
        for c in all {
            let room = if c.three_sided {
                kept.iter().filter(|k| k.three_sided).count() < placed_slots
            } else {
                kept.len() < slots
            };
            let duplicate = kept.iter().any(|k| {
                k.three_sided == c.three_sided
                    && k.corners
                        .iter()
                        .zip(c.corners)
                        .all(|(a, b)| a.distance(b) <= super::DUPLICATE_CORNER_PX * search.scale)
            });
            if room && !duplicate {
                kept.push(c);
            }
        }
        kept
    }
    let key = |c: &super::Candidate| {
        (
            c.quality.to_bits(),
            c.corners.map(|p| p.to_array()),
            c.three_sided,
        )
    };
    let mut rng = Rng::new(0x5107_0001);
    let mut compared = 0;
    for i in 0..12 {
        let scene = scene_sized(&mut rng, 640, 480, i % 2 == 0);
        let planes = super::colour::planes_of_rgba8(640, 480, &scene.rgba).unwrap();
        let search = super::Search::new(&planes).unwrap();
        let coarser = search.coarser().unwrap();
        for (s, (slots, placed)) in [
            (
                &search,
                (super::REFINED_CANDIDATES, super::REFINED_PLACED_CANDIDATES),
            ),
            (
                &coarser,
                (super::COARSER_CANDIDATES, super::COARSER_PLACED_CANDIDATES),
            ),
            (&search, (1, 1)),
        ] {
            let lazy: Vec<_> = s.ranked(slots, placed).iter().map(key).collect();
            let full: Vec<_> = fully_ranked(s, slots, placed).iter().map(key).collect();
            assert_eq!(lazy, full, "frame {i}, slots {slots} and {placed}");
            compared += lazy.len();
        }
    }
    assert!(compared > 100, "only {compared} ranked quads compared");
}

/// The coarse grid-cell test measures only what decides it, and answers as reading every end's
/// run-on does: on every hypothesis of camera-like frames with a card and without, and of a wall
/// of card-shaped tiles, where most quads are cells.
#[test]
fn the_coarse_grid_cell_test_answers_as_the_full_run_on_does() {
    let mut frames: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    let mut rng = Rng::new(0x6E1D_0001);
    for i in 0..6 {
        frames.push((640, 480, scene_sized(&mut rng, 640, 480, i % 2 == 0).rgba));
    }
    let tiles = super::tests::tile_wall(640, 480)
        .into_iter()
        .flat_map(|v| [v, v, v, 255])
        .collect();
    frames.push((640, 480, tiles));
    let mut answers = [0usize; 2];
    for (w, h, rgba) in &frames {
        let planes = super::colour::planes_of_rgba8(*w as u32, *h as u32, rgba).unwrap();
        let search = super::Search::new(&planes).unwrap();
        for hypothesis in search.hypotheses() {
            let quad = hypothesis.corners;
            let full = super::is_grid_cell(&search.extensions(&quad));
            assert_eq!(search.is_grid_cell(&quad), full, "{quad:?}");
            answers[usize::from(full)] += 1;
        }
    }
    assert!(
        answers[0] > 1000 && answers[1] > 100,
        "too few of either answer: {answers:?}"
    );
}

/// Mean time per stage of `detect_in_planes` on camera-like RGBA frames with a card and without
/// (drawn as `write_bench_frames` draws the frames `./x bench` times, 16 of each kind from
/// another seed), the half-size search included where it runs (release; ignored: timing only).
/// It repeats `detect_in_planes`' steps to time them apart: a change there belongs here too.
/// Means, not medians: a textured frame of thousands of hypotheses costs several times a plain
/// one, and those frames are where the time goes.
/// `cargo test --release --lib profile_searches -- --ignored --nocapture`
#[test]
#[ignore]
fn profile_searches() {
    use super::{COARSER_CANDIDATES, COARSER_PLACED_CANDIDATES, REFINED_CANDIDATES};
    use super::{REFINED_PLACED_CANDIDATES, SURE_CONFIDENCE};
    use std::time::Instant;
    for (w, h) in [(640usize, 480usize), (1280, 720)] {
        for with_card in [true, false] {
            let mut rng = Rng::new(0xBE7C_0001 + w as u64);
            let scenes: Vec<Scene> = (0..16)
                .map(|_| scene_sized(&mut rng, w, h, with_card))
                .collect();
            // planes, search, ranking, refinement; the half-size search's own three; the
            // single-plane searches' search and ranking together, and their refinement; the
            // texture search's plane, search and ranking together, and its refinement.
            let mut ms = [0.0f64; 11];
            let (mut coarser_runs, mut single_runs, mut texture_runs) = (0, 0, 0);
            let rounds = 10;
            for _ in 0..rounds {
                for scene in &scenes {
                    let mut at = Instant::now();
                    let mut lap = |k: usize, ms: &mut [f64; 11]| {
                        let now = Instant::now();
                        ms[k] += (now - at).as_secs_f64() * 1000.0;
                        at = now;
                    };
                    let planes =
                        super::colour::planes_of_rgba8(w as u32, h as u32, &scene.rgba).unwrap();
                    lap(0, &mut ms);
                    let search = super::Search::new(&planes).unwrap();
                    lap(1, &mut ms);
                    // Every quad is finished, as in detection, before any is looked at.
                    let any_sure_when_finished = |ranked: &[super::Candidate]| {
                        let finished: Vec<_> = ranked
                            .iter()
                            .filter_map(|c| search.finish(c).ok())
                            .collect();
                        finished
                            .iter()
                            .any(|(d, _)| d.confidence >= SURE_CONFIDENCE)
                    };
                    let ranked = search.ranked(REFINED_CANDIDATES, REFINED_PLACED_CANDIDATES);
                    lap(2, &mut ms);
                    let sure = any_sure_when_finished(&ranked);
                    lap(3, &mut ms);
                    if sure {
                        continue;
                    }
                    if let Some(coarser) = search.coarser() {
                        coarser_runs += 1;
                        lap(4, &mut ms);
                        let ranked = coarser.ranked(COARSER_CANDIDATES, COARSER_PLACED_CANDIDATES);
                        lap(5, &mut ms);
                        let sure = any_sure_when_finished(&ranked);
                        lap(6, &mut ms);
                        if sure {
                            continue;
                        }
                    }
                    single_runs += 1;
                    let mut sure = false;
                    for plane in 1..planes.len() {
                        let single = search.with_edges_of_plane(plane);
                        let ranked = single.ranked(REFINED_CANDIDATES, REFINED_PLACED_CANDIDATES);
                        lap(7, &mut ms);
                        sure |= any_sure_when_finished(&ranked);
                        lap(8, &mut ms);
                    }
                    if sure {
                        continue;
                    }
                    texture_runs += 1;
                    let texture = search.with_texture_edges();
                    let ranked = texture.ranked(REFINED_CANDIDATES, REFINED_PLACED_CANDIDATES);
                    lap(9, &mut ms);
                    for candidate in &ranked {
                        let _ = search.finish(candidate);
                    }
                    lap(10, &mut ms);
                }
            }
            let n = (rounds * scenes.len()) as f64;
            let m = ms.map(|t| t / n);
            println!(
                "{w}×{h}, card {with_card}: {:.2} ms per frame: planes {:.2}, search {:.2}, \
                 ranking {:.2}, refinement {:.2}; half-size search (in {:.0} % of frames) \
                 {:.2}, ranking {:.2}, refinement {:.2}; single-plane searches (in {:.0} % of \
                 frames) {:.2}, refinement {:.2}; texture search (in {:.0} % of frames) {:.2}, \
                 refinement {:.2}",
                m.iter().sum::<f64>(),
                m[0],
                m[1],
                m[2],
                m[3],
                100.0 * coarser_runs as f64 / n,
                m[4],
                m[5],
                m[6],
                100.0 * single_runs as f64 / n,
                m[7],
                m[8],
                100.0 * texture_runs as f64 / n,
                m[9],
                m[10]
            );
        }
    }
}

/// Refinement alone: every positive of a set refined as [`super::Search::finish`] refines a
/// frame searched at full detail ([`super::refine::refine_coarse`]: a pass reaching 3 px, then
/// one reaching 1.5 px), from its true corners each moved 1.4 to 1.5 px (a coarse quad's error),
/// and how far the result lies from the truth as a share of the hit bound (5 % of the card's
/// width): the mean, and how many refined quads miss the bound. A change to refinement shows
/// here without the search's ranking or confidence in the way; on sets 810 to 814 (600 cards)
/// the refinement of 2026-12-06 gives a mean of 0.204 and 27 misses.
/// Run with
/// `LOUPE_CARD_SEED=810 cargo test --release --lib refinement_from_near_corners -- --ignored --nocapture`.
#[test]
#[ignore = "a diagnostic report, not a check"]
fn refinement_from_near_corners() {
    let mut rng = Rng::new(set_seed());
    let moves = [
        Vec2::new(1.2, -0.8),
        Vec2::new(-0.9, 1.1),
        Vec2::new(0.7, 1.3),
        Vec2::new(-1.3, -0.6),
    ];
    let (mut sum, mut misses) = (0.0, 0);
    for i in 0..120 {
        let scene = positive(&mut rng);
        let (truth, corners) = scene.truth.unwrap();
        let planes = planes_of(&scene);
        let start = [0, 1, 2, 3].map(|k| corners[k] + moves[(k + i) % 4]);
        let [first, second] = super::refine::refine_coarse(&planes, start, 1.0);
        let share = quad_distance(&second, &corners) / (0.05 * truth * CARD_WIDTH_MM);
        sum += share;
        if share > 1.0 {
            misses += 1;
            println!(
                "{i:3}: card {:.0} px, design {:?}, finger {}: {:.2} px off after the first pass, \
                 {:.2} after the second",
                truth * CARD_WIDTH_MM,
                scene.design,
                scene.finger,
                quad_distance(&first, &corners),
                quad_distance(&second, &corners)
            );
        }
    }
    println!(
        "refinement from near corners: mean {:.3} of the hit bound, {misses} of 120 outside it",
        sum / 120.0
    );
}

/// A drawn scene where a background edge beyond one of the card's short sides makes a larger
/// card-shaped quad that shares the card's other three sides, and faint background edges run
/// along the card's long sides into that strip: too faint (under 0.4 of the card's own sides'
/// strength) to be the card's sides running on, so the card, not the strip, is chosen. Its seed
/// was picked by trying the first 600 of this stream; a change to the generator may need a new
/// one.
#[test]
fn a_faint_edge_beyond_a_card_s_corner_does_not_stretch_it() {
    let scene = positive(&mut Rng::new(0x5EED_0000 + 334));
    let (truth, corners) = scene.truth.unwrap();
    let planes = planes_of(&scene);
    let finished = super::Search::new(&planes).unwrap().finished();
    let card = finished
        .iter()
        .find(|(d, _)| is_the_card(d, truth, &corners))
        .expect("the card is among the finished quads");
    assert!(
        finished
            .iter()
            .any(|(d, _)| d.confidence >= super::MIN_CONFIDENCE
                && !is_the_card(d, truth, &corners)
                && super::three_shared_sides(&card.0.corners_px, &d.corners_px).is_some()),
        "no confident quad shares three of the card's sides; pick another scene"
    );
    let found = detect_rgba(&scene).unwrap();
    assert!(
        found.is_some_and(|d| is_the_card(&d, truth, &corners)),
        "{found:?}"
    );
}
