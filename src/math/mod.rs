//! Plain math for Loupe: units, bounds, the model-viewer style orbit camera, the "cover"-fitted
//! camera background and the true-scale placement of a jewel in the element's view.
//!
//! Everything here is CPU-only and uses glam alone, so it is tested natively without a GPU.

pub mod aabb;
pub mod cover;
pub mod homography;
pub mod orbit;
pub mod placement;
pub mod ring_size;
pub mod screen;
pub mod units;

pub use aabb::Aabb;
pub use cover::{contain_uv, cover_uv, UvTransform};
pub use orbit::{
    eye, framing_radius_m, parse_target, parse_target_or_auto, perspective_rh_zo, view_from_world,
    Orbit, OrbitParseError,
};
pub use placement::{frame_view, FrameView, Placement};
pub use units::{m_to_mm, mm_to_m, MM_PER_M};
