//! Opening a GPU on a canvas: WebGPU where the browser offers it, WebGL2 otherwise.

use wasm_bindgen::JsError;

pub struct Gpu {
    pub surface: wgpu::Surface<'static>,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
}

/// Which backends this build was compiled with (`webgpu` / `webgl` crate features).
fn compiled_backends() -> wgpu::Backends {
    let mut b = wgpu::Backends::empty();
    if cfg!(feature = "webgpu") {
        b |= wgpu::Backends::BROWSER_WEBGPU;
    }
    if cfg!(feature = "webgl") {
        b |= wgpu::Backends::GL;
    }
    b
}

/// `only`: "webgpu" or "webgl2" to force one backend (tests), anything else = best available.
pub async fn open(canvas: &web_sys::HtmlCanvasElement, only: &str) -> Result<Gpu, JsError> {
    let backends = compiled_backends()
        & match only {
            "webgpu" => wgpu::Backends::BROWSER_WEBGPU,
            "webgl2" => wgpu::Backends::GL,
            _ => wgpu::Backends::all(),
        };
    if backends.is_empty() {
        return Err(JsError::new(&format!("this build has no {only} backend")));
    }
    let desc = wgpu::InstanceDescriptor {
        backends,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    };
    let instance = if backends.contains(wgpu::Backends::BROWSER_WEBGPU) {
        // Falls back to GL when `navigator.gpu` has no adapter.
        wgpu::util::new_instance_with_webgpu_detection(desc).await
    } else {
        wgpu::Instance::new(desc)
    };
    let surface = instance
        .create_surface(wgpu::SurfaceTarget::Canvas(canvas.clone()))
        .map_err(|e| JsError::new(&format!("cannot draw into the canvas: {e}")))?;
    let adapter = instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            compatible_surface: Some(&surface),
            ..Default::default()
        })
        .await
        .map_err(|e| JsError::new(&format!("no WebGPU or WebGL2 adapter: {e}")))?;
    let base = if adapter.get_info().backend == wgpu::Backend::BrowserWebGpu {
        wgpu::Limits::downlevel_defaults()
    } else {
        wgpu::Limits::downlevel_webgl2_defaults()
    };
    let (device, queue) = adapter
        .request_device(&wgpu::DeviceDescriptor {
            label: Some("loupe"),
            required_limits: base.using_resolution(adapter.limits()),
            ..Default::default()
        })
        .await
        .map_err(|e| JsError::new(&format!("the GPU device could not be created: {e}")))?;
    Ok(Gpu {
        surface,
        adapter,
        device,
        queue,
    })
}

pub fn backend_name(adapter: &wgpu::Adapter) -> &'static str {
    match adapter.get_info().backend {
        wgpu::Backend::BrowserWebGpu => "webgpu",
        _ => "webgl2",
    }
}

/// A plain 8-bit format: the shaders encode sRGB themselves.
pub fn surface_format(caps: &wgpu::SurfaceCapabilities) -> Option<wgpu::TextureFormat> {
    use wgpu::TextureFormat::{Bgra8Unorm, Rgba8Unorm};
    caps.formats
        .iter()
        .copied()
        .find(|f| matches!(f, Bgra8Unorm | Rgba8Unorm))
}
