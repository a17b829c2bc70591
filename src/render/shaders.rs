//! WGSL sources. `common.wgsl` is prepended to each pass: one shared frame layout, no templating.

pub const COMMON_WGSL: &str = include_str!("../../shaders/common.wgsl");
pub const BACKGROUND_WGSL: &str = include_str!("../../shaders/background.wgsl");
pub const MESH_WGSL: &str = include_str!("../../shaders/mesh.wgsl");
pub const GEM_WGSL: &str = include_str!("../../shaders/gem.wgsl");
pub const OCCLUDER_WGSL: &str = include_str!("../../shaders/occluder.wgsl");
pub const BLOOM_WGSL: &str = include_str!("../../shaders/bloom.wgsl");

/// Every pass as (name, full source), for pipeline creation and for validation in tests.
pub fn passes() -> [(&'static str, String); 5] {
    [
        ("background", compose(BACKGROUND_WGSL)),
        ("mesh", compose(MESH_WGSL)),
        ("gem", compose(GEM_WGSL)),
        ("occluder", compose(OCCLUDER_WGSL)),
        ("bloom", compose(BLOOM_WGSL)),
    ]
}

pub fn compose(pass: &str) -> String {
    format!("{COMMON_WGSL}\n{pass}")
}
