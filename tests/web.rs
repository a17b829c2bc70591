//! In the browser (wasm-bindgen-test, headless Chromium): open the GPU on WebGPU and on WebGL2,
//! draw the sample ring, and read the pixels back; and drive the exported `Viewer` on both.
#![cfg(target_arch = "wasm32")]

use glam::Mat4;
use loupe::render::{default_environment, Background, CameraMatrices, Instance, Renderer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SIZE: u32 = 64;

fn canvas() -> web_sys::HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(SIZE);
    c.set_height(SIZE);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

fn camera() -> CameraMatrices {
    let eye = glam::Vec3::new(0.0, 0.012, 0.05);
    CameraMatrices {
        clip_from_view: loupe::math::perspective_rh_zo(45f32.to_radians(), 1.0, 0.01, 1.0),
        view_from_world: loupe::math::view_from_world(eye, glam::Vec3::new(0.0, 0.004, 0.0)),
        eye_world: eye,
    }
}

/// Renders the sample ring over a blue clear colour offscreen and maps the pixels back. WebGL2's
/// map_async only completes while we keep polling and yielding to the browser.
async fn draw_and_read(backend: &str) -> (String, Vec<u8>) {
    let c = canvas();
    let gpu = loupe::web::open(&c, backend)
        .await
        .unwrap_or_else(|e| panic!("{backend}: {:?}", JsValue::from(e)));
    let name = loupe::web::backend_name(&gpu.adapter).to_string();
    let format = wgpu::TextureFormat::Rgba8Unorm;
    let mut renderer = Renderer::new(
        gpu.device.clone(),
        gpu.queue.clone(),
        format,
        &default_environment(64),
    );
    let scene = loupe::asset::parse_glb(&loupe::jewelry::samples::sample_ring_glb()).unwrap();
    renderer.load(&scene, Vec::new());
    renderer.background = Background::Clear([0.0, 0.0, 1.0, 1.0]);
    let target = gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: None,
        size: wgpu::Extent3d {
            width: SIZE,
            height: SIZE,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
        view_formats: &[],
    });
    renderer.render(
        &target.create_view(&Default::default()),
        SIZE,
        SIZE,
        &camera(),
        &[Instance::opaque(Mat4::IDENTITY)],
    );
    let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: (256 * SIZE) as u64,
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    });
    let mut enc = gpu.device.create_command_encoder(&Default::default());
    enc.copy_texture_to_buffer(
        target.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(256),
                rows_per_image: Some(SIZE),
            },
        },
        wgpu::Extent3d {
            width: SIZE,
            height: SIZE,
            depth_or_array_layers: 1,
        },
    );
    gpu.queue.submit([enc.finish()]);
    let done = std::rc::Rc::new(std::cell::Cell::new(None));
    let flag = done.clone();
    buffer
        .slice(..)
        .map_async(wgpu::MapMode::Read, move |r| flag.set(Some(r.is_ok())));
    for _ in 0..2000 {
        let _ = gpu.device.poll(wgpu::PollType::Poll);
        if done.get().is_some() {
            break;
        }
        sleep_ms(5).await;
    }
    assert_eq!(
        done.get(),
        Some(true),
        "{backend}: read-back never completed"
    );
    let data = buffer.slice(..).get_mapped_range().unwrap();
    let pixels = data
        .chunks_exact(256)
        .flat_map(|row| row[..(SIZE * 4) as usize].to_vec())
        .collect();
    (name, pixels)
}

fn check_ring_drawn(backend: &str, pixels: &[u8]) {
    let blue = pixels
        .chunks_exact(4)
        .filter(|p| p[0] < 8 && p[1] < 8 && p[2] > 247)
        .count();
    let total = (SIZE * SIZE) as usize;
    assert!(
        pixels[..4] == [0, 0, 255, 255],
        "{backend}: the corner should show the clear colour, got {:?}",
        &pixels[..4]
    );
    assert!(
        blue < total * 95 / 100,
        "{backend}: the ring should cover part of the frame ({blue} of {total} blue)"
    );
    assert!(
        blue > total * 20 / 100,
        "{backend}: the ring should not cover everything ({blue} of {total} blue)"
    );
}

#[wasm_bindgen_test]
async fn webgpu_device_draws_and_reads_back() {
    let (name, pixels) = draw_and_read("webgpu").await;
    assert_eq!(name, "webgpu");
    check_ring_drawn("webgpu", &pixels);
}

#[wasm_bindgen_test]
async fn webgl2_device_draws_and_reads_back() {
    let (name, pixels) = draw_and_read("webgl2").await;
    assert_eq!(name, "webgl2");
    check_ring_drawn("webgl2", &pixels);
}

/// WebGPU and WebGL2 draw the same picture. Tolerance: both run the same WGSL (naga translates it
/// to GLSL for WebGL2) on SwiftShader, but the two paths differ in MSAA sample positions and
/// float precision of the translated code; a pixel may differ by up to 24/255 and at most 3 % of
/// pixels (edge pixels of a 64×64 ring) may differ by more. A missing pass or a wrong transform
/// changes far more.
#[wasm_bindgen_test]
async fn webgpu_and_webgl2_agree() {
    let (_, a) = draw_and_read("webgpu").await;
    let (_, b) = draw_and_read("webgl2").await;
    let differing = a
        .chunks_exact(4)
        .zip(b.chunks_exact(4))
        .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 24))
        .count();
    let total = (SIZE * SIZE) as usize;
    assert!(
        differing * 100 <= total * 3,
        "{differing} of {total} pixels differ by more than 24/255"
    );
}

/// The exported handle on both backends: load a GLB, reject a broken one, keep drawing.
async fn viewer_round_trip(backend: &str) {
    let c = canvas();
    let viewer = loupe::web::Viewer::create_with_backend(c.clone(), backend.into())
        .await
        .unwrap_or_else(|e| panic!("{backend}: {:?}", JsValue::from(e)));
    assert_eq!(viewer.backend(), backend);
    viewer.set_viewport(SIZE as f32, SIZE as f32, 1.0);
    let glb = loupe::jewelry::samples::sample_ring_glb();
    JsFuture::from(viewer.load_glb(glb.clone()))
        .await
        .expect("the sample ring loads");
    let err = JsFuture::from(viewer.load_glb(glb[..100].to_vec()))
        .await
        .expect_err("a truncated GLB is rejected");
    let msg = js_sys::Error::from(err).message().as_string().unwrap();
    assert!(msg.contains("truncated"), "{backend}: {msg}");
    viewer.render(0.0).expect("renders after a failed load");
    viewer.set_viewport(0.0, 0.0, 1.0);
    viewer
        .render(0.0)
        .expect("a zero-size viewport renders nothing, without error");
}

#[wasm_bindgen_test]
async fn webgpu_viewer_loads_and_survives_bad_input() {
    viewer_round_trip("webgpu").await;
}

#[wasm_bindgen_test]
async fn webgl2_viewer_loads_and_survives_bad_input() {
    viewer_round_trip("webgl2").await;
}

/// A light 300 px card (85.60 × 53.98 mm) on a dark, slightly textured floor, as RGBA.
fn card_frame(w: u32, h: u32) -> Vec<u8> {
    let (x0, y0, cw) = (170.0f32, 140.0f32, 300.0f32);
    let ch = cw * 53.98 / 85.60;
    let mut rgba = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let inside = fx > x0 && fx < x0 + cw && fy > y0 && fy < y0 + ch;
            let v = if inside {
                225
            } else {
                40 + ((x * 7 + y * 13) % 9) as u8
            };
            rgba.extend_from_slice(&[v, v, v, 255]);
        }
    }
    rgba
}

fn parse(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

fn field(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

#[wasm_bindgen_test]
fn card_detection_runs_in_wasm() {
    let found = parse(&loupe::web::detect_card_rgba(&card_frame(640, 480), 640, 480).unwrap());
    assert_eq!(field(&found, "found").as_bool(), Some(true));
    let px_per_mm = field(&found, "px_per_mm").as_f64().unwrap();
    assert!((px_per_mm - 300.0 / 85.6).abs() < 0.05, "{px_per_mm}");
    let flat = vec![90u8; 640 * 480 * 4];
    let none = parse(&loupe::web::detect_card_rgba(&flat, 640, 480).unwrap());
    assert_eq!(field(&none, "found").as_bool(), Some(false));
    assert!(loupe::web::detect_card_rgba(&flat, 16, 16).is_err());
}

#[wasm_bindgen_test]
fn card_tracking_runs_in_wasm() {
    let frame = card_frame(640, 480);
    // The card's corners from a frame in which it stood 4 px to the left and 3 px higher.
    let (x0, y0, cw) = (166.0f32, 137.0f32, 300.0f32);
    let ch = cw * 53.98 / 85.60;
    let previous = [x0, y0, x0 + cw, y0, x0 + cw, y0 + ch, x0, y0 + ch];
    let found = parse(&loupe::web::track_card_rgba(&frame, 640, 480, &previous).unwrap());
    assert_eq!(field(&found, "found").as_bool(), Some(true));
    let px_per_mm = field(&found, "px_per_mm").as_f64().unwrap();
    assert!((px_per_mm - 300.0 / 85.6).abs() < 0.05, "{px_per_mm}");
    let corners = js_sys::Array::from(&field(&found, "corners_px"));
    let first = js_sys::Array::from(&corners.get(0));
    let (x, y) = (
        first.get(0).as_f64().unwrap(),
        first.get(1).as_f64().unwrap(),
    );
    assert!(
        (x - 170.0).abs() < 0.5 && (y - 140.0).abs() < 0.5,
        "{x}, {y}"
    );
    // Gone from the frame: not claimed.
    let flat = vec![90u8; 640 * 480 * 4];
    let none = parse(&loupe::web::track_card_rgba(&flat, 640, 480, &previous).unwrap());
    assert_eq!(field(&none, "found").as_bool(), Some(false));
    assert!(loupe::web::track_card_rgba(&frame, 640, 480, &previous[..7]).is_err());
    assert!(loupe::web::track_card_rgba(&frame, 16, 16, &previous).is_err());
}

#[wasm_bindgen_test]
fn finger_measurement_runs_in_wasm() {
    // A 17.32 mm finger (US 7) at 8 px/mm: a dark band with 1 px soft edges.
    let (w, h) = (320u32, 120u32);
    let (left, right) = (160.0 - 69.28f32, 160.0 + 69.28f32);
    let mut rgba = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            let xc = x as f32 + 0.5;
            let cover = (xc - left + 0.5).clamp(0.0, 1.0) * (right - xc + 0.5).clamp(0.0, 1.0);
            let v = (200.0 - 110.0 * cover).round() as u8;
            rgba.extend_from_slice(&[v, v, v, 255]);
        }
    }
    let m =
        parse(&loupe::web::measure_finger_rgba(&rgba, w, h, 40.0, 60.0, 280.0, 60.0, 8.0).unwrap());
    let width = field(&m, "width_mm").as_f64().unwrap();
    assert!((width - 17.32).abs() < 0.1, "{width}");
    assert_eq!(
        field(&field(&m, "ring_size"), "us").as_string().as_deref(),
        Some("7")
    );
    assert!(loupe::web::measure_finger_rgba(&rgba, w, h, 40.0, 60.0, 280.0, 60.0, 0.0).is_err());
}
