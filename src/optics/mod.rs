//! Gem optics without a GPU: Fresnel, dispersion, the exact convex-stone tracer and the CPU
//! reference renderer the real-time gem pass (`shaders/gem.wgsl`) is judged against.

pub mod display;
pub mod flip;
pub mod fresnel;
pub mod reference;
pub mod spectrum;
pub mod stone;
