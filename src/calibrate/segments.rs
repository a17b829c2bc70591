//! Straight segments from edge pixels: 8-connected region growing that only accepts pixels whose
//! gradient direction stays within a tolerance of the region's mean (a light form of LSD), then a
//! principal-axis line fit. Curved outlines (fingers, faces) break into short or wide regions and
//! are dropped; a card's sides come out as long thin ones, even when a finger cuts them in two.

use glam::Vec2;

use super::edges::{EdgePixel, Gradients};

/// Largest angle between a pixel's gradient and the region's mean direction, radians (22.5°).
const ANGLE_TOLERANCE_RAD: f32 = std::f32::consts::FRAC_PI_8;
/// Largest RMS distance of a region's pixels from its fitted line, px.
const MAX_RMS_PX: f32 = 0.9;
/// A piece joins a line when its ends lie within this distance of it, px.
const MAX_JOIN_OFFSET_PX: f32 = 1.5;
/// Direction agreement for a join, as |sin| of the angle: 2° for long pieces, up to 15° for the
/// shortest.
const MIN_JOIN_SIN: f32 = 0.035;
const MAX_JOIN_SIN: f32 = 0.26;
/// Added to the gap a piece may leave, px: lengths run between end pixels' centres, so a dash
/// of five pixels measures four.
const JOIN_GAP_SLACK_PX: f32 = 2.0;
/// Rounds of joining: a chain of dashes may reach the line only through nearer ones.
const MAX_JOIN_PASSES: usize = 4;

/// A fitted straight segment in working-image coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segment {
    /// The two ends, px (continuous coordinates).
    pub ends: [Vec2; 2],
    /// Unit direction from `ends[0]` to `ends[1]`.
    pub direction: Vec2,
    /// Length, px.
    pub length: f32,
    /// Its pixels' sums, for refitting.
    pub moments: Moments,
}

/// Grows and fits segments at least `min_length_px` long.
pub(crate) fn find_segments(
    gradients: &Gradients,
    edges: &[EdgePixel],
    min_length_px: f32,
) -> Vec<Segment> {
    let (w, h) = (gradients.width, gradients.height);
    // 0: not an edge; 1: unvisited edge; 2: taken.
    let mut state = vec![0u8; w * h];
    for e in edges {
        state[e.y as usize * w + e.x as usize] = 1;
    }
    // Doubled-angle unit vectors make θ and θ + 180° the same orientation: a card's side may be
    // lighter than the background at one end and darker at the other.
    let doubled = |i: usize| {
        let (gx, gy) = (gradients.gx[i], gradients.gy[i]);
        let m2 = gx * gx + gy * gy;
        if m2 > 0.0 {
            Vec2::new((gx * gx - gy * gy) / m2, 2.0 * gx * gy / m2)
        } else {
            Vec2::ZERO
        }
    };
    let cos_tolerance = (2.0 * ANGLE_TOLERANCE_RAD).cos();
    let mut segments = Vec::new();
    let mut region: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    // Strongest pixels seed first (as in LSD): they lie mid-side, where the direction is clean,
    // rather than at a rounded corner where it is halfway between two sides.
    // Sorted as keys of their own, strongest first and then in raster order: a comparison that
    // looks up each pixel's magnitude took a third of this function's time.
    let mut seeds: Vec<u64> = edges
        .iter()
        .map(|e| {
            let i = e.y as usize * w + e.x as usize;
            // Magnitudes are not negative, so their bits order as they do.
            (u64::from(!gradients.magnitude[i].to_bits()) << 32) | i as u64
        })
        .collect();
    seeds.sort_unstable();
    for start in seeds
        .into_iter()
        .map(|key| (key & u64::from(u32::MAX)) as usize)
    {
        if state[start] != 1 {
            continue;
        }
        state[start] = 2;
        region.clear();
        stack.clear();
        stack.push(start);
        let mut sum = Vec2::ZERO;
        let seed_direction = doubled(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            sum += doubled(i);
            let mean = sum.normalize_or_zero();
            let (x, y) = (i % w, i / w);
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (x as isize + dx, y as isize + dy);
                if nx < 0 || ny < 0 || nx >= w as isize || ny >= h as isize {
                    continue;
                }
                let j = ny as usize * w + nx as usize;
                if state[j] != 1 {
                    continue;
                }
                // Against the seed as well as the mean: the mean alone drifts round a rounded
                // corner and swallows a small card's whole outline.
                let d = doubled(j);
                if d.dot(mean) >= cos_tolerance && d.dot(seed_direction) >= cos_tolerance {
                    state[j] = 2;
                    stack.push(j);
                }
            }
        }
        if region.len() as f32 >= min_length_px * 0.7 {
            if let Some(segment) = fit(&region, w, min_length_px) {
                segments.push(segment);
            }
        }
    }
    segments
}

/// Joins pieces on one line into segments at least `min_length_px` long. A card's side comes out
/// of [`find_segments`] in pieces wherever a stripe of its design, a finger or a stretch of low
/// contrast interrupts its edge; a striped card on a background of one of its stripes' shades
/// leaves only dashes a few pixels long. Each segment, longest first, takes in the unused pieces
/// whose ends lie within [`MAX_JOIN_OFFSET_PX`] of its line, whose direction agrees within what
/// their length can tell, and whose gap to it is no longer than it is; after each join the line is
/// refitted to all the pixels taken so far, so a chain of dashes straightens as it grows.
pub(crate) fn merge_collinear(mut pieces: Vec<Segment>, min_length_px: f32) -> Vec<Segment> {
    pieces.sort_by(|a, b| b.length.total_cmp(&a.length));
    let grid = PieceGrid::new(&pieces);
    let mut used = vec![false; pieces.len()];
    let mut candidates = Vec::new();
    let mut merged = Vec::new();
    for i in 0..pieces.len() {
        if used[i] {
            continue;
        }
        used[i] = true;
        let mut line = pieces[i];
        for _ in 0..MAX_JOIN_PASSES {
            let mut grew = false;
            grid.near_line(&line, &mut candidates);
            // Longest first, as the pieces are sorted.
            candidates.sort_unstable();
            for &j in &candidates {
                if used[j] {
                    continue;
                }
                if let Some(joined) = join(&line, &pieces[j]) {
                    line = joined;
                    used[j] = true;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        if line.length >= min_length_px {
            merged.push(line);
        }
    }
    merged
}

/// Pieces by the grid cell of their midpoint, so that a line meets only the pieces along it: a
/// tiled floor or a page of text leaves thousands of short parallel pieces, and comparing each
/// with each made joining the slowest step of a search.
struct PieceGrid {
    columns: usize,
    rows: usize,
    /// Per cell, its pieces' indices.
    cells: Vec<Vec<usize>>,
}

impl PieceGrid {
    /// Cell side, px.
    const CELL_PX: f32 = 8.0;

    fn new(pieces: &[Segment]) -> PieceGrid {
        let far = pieces
            .iter()
            .flat_map(|p| p.ends)
            .fold(Vec2::ZERO, |a, e| a.max(e));
        let columns = (far.x / Self::CELL_PX) as usize + 1;
        let rows = (far.y / Self::CELL_PX) as usize + 1;
        let mut grid = PieceGrid {
            columns,
            rows,
            cells: vec![Vec::new(); columns * rows],
        };
        for (k, piece) in pieces.iter().enumerate() {
            if let Some(cell) = grid.cell_of(0.5 * (piece.ends[0] + piece.ends[1])) {
                grid.cells[cell].push(k);
            }
        }
        grid
    }

    fn cell_of(&self, p: Vec2) -> Option<usize> {
        let (x, y) = (p.x / Self::CELL_PX, p.y / Self::CELL_PX);
        // Negative and non-finite points (never from a fit inside the frame) have no cell.
        if !(x >= 0.0 && y >= 0.0 && x < self.columns as f32 && y < self.rows as f32) {
            return None;
        }
        Some(y as usize * self.columns + x as usize)
    }

    /// Into `out`, the pieces whose midpoints may lie where [`join`] would take them: within
    /// the join offset of the line, and no further beyond its ends than a piece no longer than
    /// the line and a gap no longer than it allow (pieces are joined longest first, so each
    /// unused one is at most as long as the line's first piece).
    fn near_line(&self, line: &Segment, out: &mut Vec<usize>) {
        out.clear();
        let reach = 1.5 * line.length + JOIN_GAP_SLACK_PX;
        let (along, across) = (line.direction, line.direction.perp() * MAX_JOIN_OFFSET_PX);
        let (from, to) = (line.ends[0] - along * reach, line.ends[1] + along * reach);
        let band = [from - across, to - across, to + across, from + across];
        let (low, high) = band
            .iter()
            .fold((Vec2::MAX, Vec2::MIN), |(l, h), p| (l.min(*p), h.max(*p)));
        let cell = Self::CELL_PX;
        let first_row = (low.y / cell).floor().max(0.0) as usize;
        let last_row = ((high.y / cell).floor() as usize).min(self.rows - 1);
        // Row by row, the cells the band (a rectangle) covers: the x extent of its edges
        // clipped to the row.
        for row in first_row..=last_row {
            let (top, bottom) = (row as f32 * cell, (row + 1) as f32 * cell);
            let (mut x_low, mut x_high) = (f32::MAX, f32::MIN);
            for k in 0..4 {
                let (a, b) = (band[k], band[(k + 1) % 4]);
                let (t_in, t_out) = clip_to_range(a.y, b.y, top, bottom);
                if t_in <= t_out {
                    for t in [t_in, t_out] {
                        let x = a.x + (b.x - a.x) * t;
                        x_low = x_low.min(x);
                        x_high = x_high.max(x);
                    }
                }
            }
            if x_low > x_high {
                continue;
            }
            let first_column = (x_low / cell).floor().max(0.0) as usize;
            let last_column = ((x_high / cell).floor().max(0.0) as usize).min(self.columns - 1);
            for column in first_column..=last_column {
                out.extend_from_slice(&self.cells[row * self.columns + column]);
            }
        }
    }
}

/// The parameters (0–1) between which the segment from coordinate `a` to coordinate `b` (a
/// height, or any one axis) lies within `top..=bottom`; empty (first above second) when it
/// misses.
pub(crate) fn clip_to_range(a: f32, b: f32, top: f32, bottom: f32) -> (f32, f32) {
    if a == b {
        return if (top..=bottom).contains(&a) {
            (0.0, 1.0)
        } else {
            (1.0, 0.0)
        };
    }
    let (t_top, t_bottom) = ((top - a) / (b - a), (bottom - a) / (b - a));
    (t_top.min(t_bottom).max(0.0), t_top.max(t_bottom).min(1.0))
}

/// `line` with `piece` joined, if the piece lies on it and near it.
fn join(line: &Segment, piece: &Segment) -> Option<Segment> {
    // A piece a few pixels long knows its direction only to about a pixel over its length.
    let tolerance = MIN_JOIN_SIN.max(1.2 / piece.length).min(MAX_JOIN_SIN);
    if line.direction.perp_dot(piece.direction).abs() > tolerance {
        return None;
    }
    let normal = line.direction.perp();
    let origin = line.ends[0];
    if piece
        .ends
        .iter()
        .any(|e| (*e - origin).dot(normal).abs() > MAX_JOIN_OFFSET_PX)
    {
        return None;
    }
    let along = |p: Vec2| (p - origin).dot(line.direction);
    let (t0, t1) = (along(piece.ends[0]), along(piece.ends[1]));
    let gap = (t0.min(t1) - line.length).max(-t0.max(t1)).max(0.0);
    if gap > line.length.max(piece.length) + JOIN_GAP_SLACK_PX {
        return None;
    }
    let moments = line.moments.plus(&piece.moments);
    let (centroid, direction, rms) = moments.principal_axis();
    if rms > MAX_RMS_PX {
        return None;
    }
    let project = |p: Vec2| (p - centroid).dot(direction);
    let (mut low, mut high) = (f32::MAX, f32::MIN);
    for e in line.ends.iter().chain(piece.ends.iter()) {
        low = low.min(project(*e));
        high = high.max(project(*e));
    }
    Some(Segment {
        ends: [centroid + direction * low, centroid + direction * high],
        direction,
        length: high - low,
        moments,
    })
}

/// Sums over a segment's pixel centres, enough to refit its line after a join.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Moments {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    sxy: f64,
    syy: f64,
}

impl Moments {
    /// The sums over `points`.
    pub(crate) fn of(points: &[Vec2]) -> Moments {
        let mut moments = Moments::default();
        for p in points {
            moments.add(*p);
        }
        moments
    }

    fn add(&mut self, p: Vec2) {
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.sxy += x * y;
        self.syy += y * y;
    }

    fn plus(&self, o: &Moments) -> Moments {
        Moments {
            n: self.n + o.n,
            sx: self.sx + o.sx,
            sy: self.sy + o.sy,
            sxx: self.sxx + o.sxx,
            sxy: self.sxy + o.sxy,
            syy: self.syy + o.syy,
        }
    }

    /// Centroid, unit direction of the major axis, and RMS distance from that line.
    pub(crate) fn principal_axis(&self) -> (Vec2, Vec2, f32) {
        let n = self.n.max(1.0);
        let (mx, my) = (self.sx / n, self.sy / n);
        let cxx = self.sxx / n - mx * mx;
        let cxy = self.sxy / n - mx * my;
        let cyy = self.syy / n - my * my;
        let angle = 0.5 * (2.0 * cxy).atan2(cxx - cyy);
        let (sin, cos) = angle.sin_cos();
        let across = (cxx * sin * sin - 2.0 * cxy * sin * cos + cyy * cos * cos).max(0.0);
        (
            Vec2::new(mx as f32, my as f32),
            Vec2::new(cos as f32, sin as f32),
            across.sqrt() as f32,
        )
    }
}

/// Principal-axis fit of a region's pixel centres.
fn fit(region: &[usize], w: usize, min_length_px: f32) -> Option<Segment> {
    let point = |i: usize| Vec2::new((i % w) as f32 + 0.5, (i / w) as f32 + 0.5);
    let mut moments = Moments::default();
    for &i in region {
        moments.add(point(i));
    }
    let (centroid, direction, rms) = moments.principal_axis();
    let (mut low, mut high) = (f32::MAX, f32::MIN);
    for &i in region {
        let t = (point(i) - centroid).dot(direction);
        low = low.min(t);
        high = high.max(t);
    }
    let length = high - low;
    if length < min_length_px || rms > MAX_RMS_PX {
        return None;
    }
    Some(Segment {
        ends: [centroid + direction * low, centroid + direction * high],
        direction,
        length,
        moments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A piece rasterised along y = y0 + slope·x for x in `xs`, fitted as `find_segments` would.
    fn piece(xs: std::ops::Range<usize>, y0: f32, slope: f32) -> Segment {
        let w = 200;
        let region: Vec<usize> = xs
            .map(|x| ((y0 + slope * x as f32).round() as usize) * w + x)
            .collect();
        fit(&region, w, 3.0).expect("a straight piece fits")
    }

    #[test]
    fn dashes_join_into_one_side_and_a_parallel_line_stays_apart() {
        // A striped card's side: 5 px dashes, 4 px gaps, over 85 px at a slope of 0.3.
        let mut pieces: Vec<Segment> = (0..10)
            .map(|k| piece(10 + 9 * k..15 + 9 * k, 40.0, 0.3))
            .collect();
        // Another edge 5 px below, parallel (the next stripe of a background).
        pieces.push(piece(20..80, 45.0, 0.3));
        let merged = merge_collinear(pieces, 8.0);
        assert_eq!(merged.len(), 2, "{merged:?}");
        let side = merged
            .iter()
            .find(|s| s.length > 70.0)
            .expect("the dashes make one long side");
        // Pixel centres 10.5 to 94.5 along x, on a slope of 0.3.
        let expected = 84.0 * 1.09f32.sqrt();
        assert!((side.length - expected).abs() < 2.0, "{}", side.length);
        let slope = side.direction.y / side.direction.x;
        assert!((slope - 0.3).abs() < 0.01, "slope {slope}");
        // Each dash alone is shorter than a segment: without joining, nothing would be left of it.
        let alone = merge_collinear(vec![piece(10..15, 40.0, 0.3)], 8.0);
        assert!(alone.is_empty());
    }
}
