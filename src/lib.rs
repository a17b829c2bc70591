//! Loupe: a jewelry try-on. Math and assets are plain Rust (tested natively, no GPU);
//! `render` draws with wgpu; `web` is the thin wasm-bindgen edge used by `<loupe-tryon>`.

pub mod asset;
pub mod calibrate;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod env;
pub mod jewelry;
pub mod math;
pub mod optics;
pub mod render;
pub mod track;

#[cfg(target_arch = "wasm32")]
pub mod web;
