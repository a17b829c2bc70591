//! The wasm-bindgen edge: the `Viewer` handle `<loupe-tryon>` drives. JS owns the element and
//! DOM events; this turns them into renderer state and draws frames.

mod calibrate;
mod gpu;
mod images;

pub use calibrate::{detect_card_rgba, measure_finger_rgba, track_card_rgba};
pub use gpu::{backend_name, open, Gpu};

use crate::asset::Scene;
use crate::math::cover::cover_uv;
use crate::math::placement::{frame_view, Placement};
use crate::math::Aabb;
use crate::render::{Background, CameraMatrices, ContactShadow, Instance, Renderer};
use crate::track::face_session::{FaceSession, FaceTarget};
use crate::track::session::{tracked_view, HandChoice, Session, Target, TrackedPose};
use glam::{Quat, Vec2};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// Vertical field of view of the virtual camera; a phone's front camera is close to this.
const VFOV_DEG: f32 = 50.0;
/// Turntable speed in viewer mode.
const TURNTABLE_RAD_PER_S: f32 = 0.5;
/// Environment resolution on the web: the sharpest mip's width (prefiltered at load).
const WEB_ENV_BASE_WIDTH: u32 = 256;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

enum Source {
    None,
    Video {
        video: web_sys::HtmlVideoElement,
        mirror: bool,
    },
    Image {
        width: u32,
        height: u32,
        mirror: bool,
    },
}

struct Inner {
    surface: wgpu::Surface<'static>,
    config: Option<wgpu::SurfaceConfiguration>,
    format: wgpu::TextureFormat,
    renderer: Renderer,
    backend: &'static str,
    placement: Placement,
    px_per_mm: Option<f32>,
    viewport_css: Vec2,
    bounds_m: Aabb,
    source: Source,
    neutral: bool,
    turntable: bool,
    load_generation: u32,
    /// The smoothed light of the camera frames, and when it was last updated (ms).
    room: Option<(crate::env::camera_light::CameraLight, f64)>,
    /// The last frame's view, so camera light is placed in the world the jewel is drawn in.
    view_from_world: glam::Mat4,
    /// The jewel follows a tracked hand instead of the user's placement.
    tracking: Option<Session>,
    /// Or earrings or a pendant follow a tracked face (never both at once).
    face_tracking: Option<FaceSession>,
    /// Size of the picture the tracker's landmarks are in, px.
    tracked_picture_px: Vec2,
    /// Hide what lies behind the tracked finger or wrist.
    occlusion: bool,
    /// Darken the finger next to a tracked ring.
    contact_shadow: bool,
    /// Where the loaded ring touches the finger along its axis, m (see `Scene::contact_span_m`).
    contact_span_m: Option<(f32, f32)>,
    piece: crate::asset::PieceInfo,
    /// Where the tracked jewels were drawn last (a pair of earrings is two).
    drawn: Vec<Drawn>,
}

/// A tracked jewel to draw, with the body proxy behind it in Loupe's model axes and, for a ring,
/// the shadow it casts on the finger.
struct Worn {
    pose: TrackedPose,
    proxy: glam::Mat4,
    shadow: Option<ContactShadow>,
}

/// Every tracked jewel to draw at `time_s`: `None` when not tracking, empty before a hand or
/// face is found (or after the jewel faded out).
fn tracked_jewels(s: &Inner, time_s: f64) -> Option<Vec<Worn>> {
    match (&s.tracking, &s.face_tracking) {
        (Some(hand), _) => {
            let (radius_m, z0, z1) = hand.proxy_cylinder_m(s.piece.inner_diameter_mm);
            let proxy = crate::render::model_from_cylinder(radius_m, z0, z1);
            let shadow = s
                .contact_span_m
                .filter(|_| s.contact_shadow)
                .and_then(|span| hand.contact_shadow_unit(span))
                .map(|(from, to, falloff, strength)| ContactShadow {
                    touch_unit_z: (from, to),
                    falloff_unit_z: falloff,
                    strength,
                });
            Some(
                hand.pose(time_s)
                    .into_iter()
                    .map(|pose| Worn {
                        pose,
                        proxy,
                        shadow,
                    })
                    .collect(),
            )
        }
        (None, Some(face)) => Some(
            face.poses(time_s)
                .into_iter()
                .enumerate()
                .map(|(i, pose)| {
                    let p = face.proxy(i);
                    let cylinder =
                        crate::render::model_from_cylinder(p.radius_m, p.z_from_m, p.z_to_m);
                    Worn {
                        pose,
                        proxy: p.model_from_axis * cylinder,
                        shadow: None,
                    }
                })
                .collect(),
        ),
        (None, None) => None,
    }
}

/// A tracked jewel as last drawn.
#[derive(Clone, Copy, Debug)]
struct Drawn {
    at_css: Vec2,
    opacity: f32,
    /// CSS px per mm at the jewel.
    px_per_mm: f32,
    /// The model's +Y (where a ring's stone points) in view space.
    up: glam::Vec3,
}

#[wasm_bindgen]
pub struct Viewer {
    inner: Rc<RefCell<Inner>>,
    // wgpu requires the device-lost callback to be Send, hence an atomic even on one thread.
    lost: Arc<AtomicBool>,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl Viewer {
    /// Opens the GPU on `canvas` (WebGPU, else WebGL2). Rejects when neither is available.
    pub async fn create(canvas: web_sys::HtmlCanvasElement) -> Result<Viewer, JsError> {
        Self::create_with_backend(canvas, String::new()).await
    }

    /// As `create`, forcing "webgpu" or "webgl2" (tests use this).
    #[wasm_bindgen(js_name = createWithBackend)]
    pub async fn create_with_backend(
        canvas: web_sys::HtmlCanvasElement,
        backend: String,
    ) -> Result<Viewer, JsError> {
        let Gpu {
            surface,
            adapter,
            device,
            queue,
        } = gpu::open(&canvas, &backend).await?;
        let caps = surface.get_capabilities(&adapter);
        let format = gpu::surface_format(&caps).ok_or_else(|| {
            JsError::new(&format!(
                "the canvas offers no 8-bit RGBA format ({:?})",
                caps.formats
            ))
        })?;
        let lost = Arc::new(AtomicBool::new(false));
        let lost_flag = lost.clone();
        device.set_device_lost_callback(move |_reason, _message| {
            lost_flag.store(true, Ordering::Relaxed)
        });
        let mut renderer = Renderer::new(
            device,
            queue,
            format,
            &crate::render::default_environment(WEB_ENV_BASE_WIDTH),
        );
        if adapter.get_info().backend == wgpu::Backend::Gl {
            renderer.gem_quality = crate::render::GemQuality::WEBGL2;
        }
        let inner = Inner {
            surface,
            config: None,
            format,
            renderer,
            backend: gpu::backend_name(&adapter),
            placement: Placement::default(),
            px_per_mm: None,
            viewport_css: Vec2::ZERO,
            bounds_m: Aabb {
                min: glam::Vec3::splat(-0.01),
                max: glam::Vec3::splat(0.01),
            },
            source: Source::None,
            neutral: true,
            turntable: false,
            load_generation: 0,
            room: None,
            view_from_world: glam::Mat4::IDENTITY,
            tracking: None,
            face_tracking: None,
            tracked_picture_px: Vec2::ONE,
            occlusion: true,
            contact_shadow: true,
            contact_span_m: None,
            piece: Default::default(),
            drawn: Vec::new(),
        };
        Ok(Viewer {
            inner: Rc::new(RefCell::new(inner)),
            lost,
        })
    }

    /// "webgpu" or "webgl2".
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.borrow().backend.to_string()
    }

    /// Gem pass effort: internal bounces per ray (0–16) and rays per gem pixel (1–4). Defaults:
    /// 8 and 4 on WebGPU, 6 and 2 on WebGL2. Fewer is faster; stones look glassier. `traced`
    /// false (benchmarks, comparisons) draws stones with the single refraction instead.
    #[wasm_bindgen(js_name = setGemQuality)]
    pub fn set_gem_quality(&self, max_bounces: u32, rays_per_pixel: u32, traced: Option<bool>) {
        let mut inner = self.inner.borrow_mut();
        let quality = &mut inner.renderer.gem_quality;
        quality.max_bounces = max_bounces.min(16);
        quality.rays_per_pixel = rays_per_pixel.clamp(1, 4);
        quality.traced = traced.unwrap_or(true);
    }

    /// Sparkle bloom strength, 0 (off) to 1: the brightest stone pixels glow softly around them.
    /// Default 0.6. Out-of-range values are clamped; NaN turns it off.
    #[wasm_bindgen(js_name = setSparkle)]
    pub fn set_sparkle(&self, strength: f32) {
        let strength = if strength.is_nan() {
            0.0
        } else {
            strength.clamp(0.0, 1.0)
        };
        self.inner.borrow_mut().renderer.gem_quality.sparkle = strength;
    }

    /// The gem pass effort in use: `{maxBounces, raysPerPixel, perChannel, traced, sparkle}`.
    #[wasm_bindgen(getter, js_name = gemQuality)]
    pub fn gem_quality(&self) -> js_sys::Object {
        let q = self.inner.borrow().renderer.gem_quality;
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &k.into(), &v);
        };
        set("maxBounces", q.max_bounces.into());
        set("raysPerPixel", q.rays_per_pixel.into());
        set("perChannel", q.per_channel.into());
        set("traced", q.traced.into());
        set("sparkle", q.sparkle.into());
        o
    }

    /// Lights the jewel from the camera: `rgba` is a small copy of the frame as shown (32×24
    /// is plenty; mirrored as on screen), `time_ms` its time. Diffuse light comes from the frame;
    /// reflections keep the studio's bright sources, with the room's white balance and
    /// brightness. Estimates are smoothed over about 0.4 s; call at most 30 times a second.
    #[wasm_bindgen(js_name = setCameraLight)]
    pub fn set_camera_light(
        &self,
        rgba: &[u8],
        width: u32,
        height: u32,
        time_ms: f64,
    ) -> Result<(), JsError> {
        use crate::env::camera_light;
        let mut guard = self.inner.borrow_mut();
        let s = &mut *guard;
        let world_from_view = glam::Mat3::from_mat4(s.view_from_world).transpose();
        let next =
            camera_light::estimate(rgba, width, height, world_from_view, VFOV_DEG.to_radians())
                .map_err(js_err)?;
        let light = match &s.room {
            Some((previous, at)) => {
                previous.smoothed_towards(&next, ((time_ms - at) / 1000.0) as f32)
            }
            None => next,
        };
        s.room = Some((light, time_ms));
        s.renderer.set_camera_light(Some(&light));
        Ok(())
    }

    /// Back to the studio's light alone (outside camera mode).
    #[wasm_bindgen(js_name = clearCameraLight)]
    pub fn clear_camera_light(&self) {
        let mut s = self.inner.borrow_mut();
        s.room = None;
        s.renderer.set_camera_light(None);
    }

    #[wasm_bindgen(getter, js_name = contextLost)]
    pub fn context_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// Sizes the drawing buffer to round(css × dpr), within the device's limit; 0 draws nothing.
    #[wasm_bindgen(js_name = setViewport)]
    pub fn set_viewport(&self, css_width: f32, css_height: f32, device_pixel_ratio: f32) {
        let mut s = self.inner.borrow_mut();
        let finite = |v: f32| if v.is_finite() && v > 0.0 { v } else { 0.0 };
        let dpr = if device_pixel_ratio.is_finite() && device_pixel_ratio > 0.0 {
            device_pixel_ratio
        } else {
            1.0
        };
        s.viewport_css = Vec2::new(finite(css_width), finite(css_height));
        let max = s.renderer.max_texture_side();
        let w = ((s.viewport_css.x * dpr).round() as u32).min(max);
        let h = ((s.viewport_css.y * dpr).round() as u32).min(max);
        if w == 0 || h == 0 {
            s.config = None;
            return;
        }
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format: s.format,
            width: w,
            height: h,
            present_mode: wgpu::PresentMode::Fifo,
            desired_maximum_frame_latency: 2,
            // Every pixel is drawn opaque (camera frame or backdrop behind the jewel).
            alpha_mode: wgpu::CompositeAlphaMode::Auto,
            color_space: wgpu::SurfaceColorSpace::Auto,
            view_formats: vec![],
        };
        s.surface.configure(&s.renderer.device, &config);
        s.config = Some(config);
    }

    /// Parses and uploads a GLB. Rejects with a message on bad input; the previous model stays.
    /// A load overtaken by a newer one rejects with "superseded".
    #[wasm_bindgen(js_name = loadGlb)]
    pub fn load_glb(&self, bytes: Vec<u8>) -> js_sys::Promise {
        let inner = self.inner.clone();
        let generation = {
            let mut s = inner.borrow_mut();
            s.load_generation += 1;
            s.load_generation
        };
        wasm_bindgen_futures::future_to_promise(async move {
            let scene: Scene =
                crate::asset::parse_glb(&bytes).map_err(|e| JsValue::from(js_err(e)))?;
            let max_side = inner.borrow().renderer.max_texture_side();
            let mut warnings = scene.warnings.clone();
            let bitmaps = images::decode_all(&scene, max_side, &mut warnings).await;
            let mut s = inner.borrow_mut();
            if s.load_generation != generation {
                return Err(JsError::new("superseded by a newer load").into());
            }
            let textures = images::upload(&s.renderer.device, &s.renderer.queue, bitmaps);
            s.renderer.load(&scene, textures);
            s.bounds_m = scene.bounds_m;
            s.piece = scene.piece.clone();
            let inner_radius_m = 0.5
                * s.piece
                    .inner_diameter_mm
                    .unwrap_or(crate::track::session::DEFAULT_FINGER_DIAMETER_MM)
                / crate::math::units::MM_PER_M;
            s.contact_span_m = scene.contact_span_m(inner_radius_m, s.piece.loupe_from_model);
            for w in &warnings {
                web_sys::console::warn_1(&format!("loupe: {w}").into());
            }
            Ok(model_info(&scene, &warnings))
        })
    }

    /// Shows material variant `index` of the loaded model (see `modelInfo.variants`), or its
    /// default look when `index` is undefined or out of range.
    #[wasm_bindgen(js_name = setVariant)]
    pub fn set_variant(&self, index: Option<u32>) {
        self.inner
            .borrow_mut()
            .renderer
            .set_variant(index.map(|i| i as usize));
    }

    /// A Radiance .hdr environment, prefiltered here. Throws on bad data; the old one stays.
    #[wasm_bindgen(js_name = setEnvironmentHdr)]
    pub fn set_environment_hdr(&self, bytes: &[u8]) -> Result<(), JsError> {
        let hdr = crate::env::decode_hdr(bytes).map_err(js_err)?;
        let env = crate::env::prefilter(&hdr, WEB_ENV_BASE_WIDTH, 6);
        self.inner.borrow_mut().renderer.set_environment(&env);
        Ok(())
    }

    /// The live camera behind the jewel; each `render` copies the video's current frame.
    #[wasm_bindgen(js_name = setVideo)]
    pub fn set_video(&self, video: web_sys::HtmlVideoElement, mirror: bool) {
        let mut s = self.inner.borrow_mut();
        s.source = Source::Video { video, mirror };
        s.neutral = false;
    }

    /// A still photo behind the jewel (photo mode).
    #[wasm_bindgen(js_name = setImage)]
    pub fn set_image(&self, image: web_sys::ImageBitmap, mirror: bool) {
        let mut s = self.inner.borrow_mut();
        let (width, height) = (image.width().max(1), image.height().max(1));
        let texture = s.renderer.background_texture(width, height).clone();
        images::copy_external(
            &s.renderer.queue,
            wgpu::ExternalImageSource::ImageBitmap(image),
            &texture,
            width,
            height,
        );
        s.source = Source::Image {
            width,
            height,
            mirror,
        };
        s.neutral = false;
    }

    #[wasm_bindgen(js_name = setNeutralBackground)]
    pub fn set_neutral_background(&self) {
        let mut s = self.inner.borrow_mut();
        s.source = Source::None;
        s.neutral = true;
    }

    /// CSS px per mm for true scale; `undefined`, NaN or ≤ 0 returns to the default size.
    #[wasm_bindgen(js_name = setPxPerMm)]
    pub fn set_px_per_mm(&self, px_per_mm: Option<f32>) {
        self.inner.borrow_mut().px_per_mm = px_per_mm.filter(|v| v.is_finite() && *v > 0.0);
    }

    #[wasm_bindgen(js_name = moveBy)]
    pub fn move_by(&self, dx_css: f32, dy_css: f32) {
        if dx_css.is_finite() && dy_css.is_finite() {
            self.inner
                .borrow_mut()
                .placement
                .move_by_css(dx_css, dy_css);
        }
    }

    pub fn turn(&self, yaw_rad: f32, pitch_rad: f32) {
        if yaw_rad.is_finite() && pitch_rad.is_finite() {
            self.inner.borrow_mut().placement.turn(yaw_rad, pitch_rad);
        }
    }

    pub fn twist(&self, roll_rad: f32) {
        if roll_rad.is_finite() {
            self.inner.borrow_mut().placement.twist(roll_rad);
        }
    }

    #[wasm_bindgen(js_name = zoomBy)]
    pub fn zoom_by(&self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            self.inner.borrow_mut().placement.zoom_by(factor);
        }
    }

    #[wasm_bindgen(js_name = resetPlacement)]
    pub fn reset_placement(&self) {
        self.inner.borrow_mut().placement.reset();
    }

    #[wasm_bindgen(js_name = setTurntable)]
    pub fn set_turntable(&self, on: bool) {
        self.inner.borrow_mut().turntable = on;
    }

    /// Makes the jewel follow a tracked hand or face: `kind` is `ring` or `bracelet` (a hand;
    /// [`Viewer::track_hands`]) or `earrings` or `pendant` (a face; [`Viewer::track_faces`]),
    /// `finger` one of `thumb`, `index`, `middle`, `ring`, `little`, `hand` one of `left`,
    /// `right`, `any`. Throws on an unknown name (nothing changes).
    #[wasm_bindgen(js_name = setTracking)]
    pub fn set_tracking(&self, kind: &str, finger: &str, hand: &str) -> Result<(), JsError> {
        let face = match kind {
            "earrings" => Some(FaceTarget::Earrings),
            "pendant" => Some(FaceTarget::Pendant),
            _ => None,
        };
        if let Some(target) = face {
            let mut s = self.inner.borrow_mut();
            s.tracking = None;
            match &mut s.face_tracking {
                Some(session) => session.retarget(target),
                None => s.face_tracking = Some(FaceSession::new(target)),
            }
            return Ok(());
        }
        let target = match kind {
            "ring" => Target::Ring(crate::track::hand::Finger::parse(finger).ok_or_else(|| {
                JsError::new(&format!(
                    "unknown finger {finger:?}: use thumb, index, middle, ring or little"
                ))
            })?),
            "bracelet" => Target::Bracelet,
            _ => {
                return Err(JsError::new(&format!(
                    "tracking places a ring, bracelet, earrings or pendant, not {kind:?}"
                )))
            }
        };
        let choice = HandChoice::parse(hand).ok_or_else(|| {
            JsError::new(&format!("unknown hand {hand:?}: use left, right or any"))
        })?;
        let mut s = self.inner.borrow_mut();
        s.face_tracking = None;
        match &mut s.tracking {
            Some(session) => session.retarget(target, choice),
            None => s.tracking = Some(Session::new(target, choice)),
        }
        Ok(())
    }

    /// Back to the user's placement.
    #[wasm_bindgen(js_name = stopTracking)]
    pub fn stop_tracking(&self) {
        let mut s = self.inner.borrow_mut();
        s.tracking = None;
        s.face_tracking = None;
        s.drawn.clear();
    }

    /// One tracker result for a camera frame taken at `time_ms` (the clock `render` gets):
    /// `landmarks` holds 21 × (x, y, z) per hand, normalised as MediaPipe gives them for a
    /// `width`×`height` input that was not mirrored; `labels` its handedness labels ("Left",
    /// "Right") joined by commas; `scores` one per hand. `mirrored` says the picture is shown
    /// mirrored. Returns whether a hand is followed.
    #[wasm_bindgen(js_name = trackHands)]
    #[allow(clippy::too_many_arguments)]
    pub fn track_hands(
        &self,
        landmarks: &[f32],
        labels: &str,
        scores: &[f32],
        width: f32,
        height: f32,
        mirrored: bool,
        time_ms: f64,
    ) -> bool {
        use crate::track::hand::{real_handedness, Hand, Handedness, LANDMARK_COUNT};
        use crate::track::session::Seen;
        let mut s = self.inner.borrow_mut();
        let Some(session) = s.tracking.as_mut() else {
            return false;
        };
        let labels: Vec<&str> = labels.split(',').collect();
        let seen: Vec<Seen> = landmarks
            .chunks_exact(LANDMARK_COUNT * 3)
            .enumerate()
            .filter_map(|(i, flat)| {
                let label = Handedness::parse(labels.get(i)?.trim())?;
                let points: Vec<[f32; 3]> =
                    flat.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
                Some(Seen {
                    hand: Hand::from_mediapipe(&points, label, width, height, mirrored)?,
                    real: real_handedness(label, false),
                    score: scores.get(i).copied().unwrap_or(0.0),
                })
            })
            .collect();
        session.update(&seen, time_ms / 1000.0);
        let tracking = session.tracking();
        if tracking {
            s.tracked_picture_px = Vec2::new(width.max(1.0), height.max(1.0));
        }
        tracking
    }

    /// One face tracker result for a camera frame taken at `time_ms`: `landmarks` holds
    /// `points_per_face` × (x, y, z) per face (468, or 478 with irises), normalised as MediaPipe
    /// gives them for a `width`×`height` input that was not mirrored; `mirrored` says the
    /// picture is shown mirrored. Returns whether a face is followed.
    #[wasm_bindgen(js_name = trackFaces)]
    pub fn track_faces(
        &self,
        landmarks: &[f32],
        points_per_face: usize,
        width: f32,
        height: f32,
        mirrored: bool,
        time_ms: f64,
    ) -> bool {
        use crate::track::face::Face;
        let mut s = self.inner.borrow_mut();
        let Some(session) = s.face_tracking.as_mut() else {
            return false;
        };
        let faces: Vec<Face> = if points_per_face == 0 {
            Vec::new()
        } else {
            landmarks
                .chunks_exact(points_per_face * 3)
                .filter_map(|flat| {
                    let points: Vec<[f32; 3]> =
                        flat.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect();
                    Face::from_mediapipe(&points, width, height, mirrored)
                })
                .collect()
        };
        session.update(&faces, time_ms / 1000.0);
        let tracking = session.tracking();
        if tracking {
            s.tracked_picture_px = Vec2::new(width.max(1.0), height.max(1.0));
        }
        tracking
    }

    /// The next tracker result is from an unrelated picture (a new photo): no filtering across
    /// it, so the jewel lands on the new hand or face at once; measurements are kept.
    #[wasm_bindgen(js_name = forgetTrackingMotion)]
    pub fn forget_tracking_motion(&self) {
        let mut s = self.inner.borrow_mut();
        if let Some(session) = s.tracking.as_mut() {
            session.forget_motion();
        }
        if let Some(session) = s.face_tracking.as_mut() {
            session.forget_motion();
        }
    }

    /// No tracker result for a while (e.g. the camera stopped): fade the jewel out.
    #[wasm_bindgen(js_name = loseTracking)]
    pub fn lose_tracking(&self, time_ms: f64) {
        let mut s = self.inner.borrow_mut();
        if let Some(session) = s.tracking.as_mut() {
            session.lose(time_ms / 1000.0);
        }
        if let Some(session) = s.face_tracking.as_mut() {
            session.lose(time_ms / 1000.0);
        }
    }

    /// Measures the followed hand with a calibrated scale (CSS px per mm in the hand's plane), so
    /// true size then follows the hand; returns its knuckle span in mm, or undefined.
    #[wasm_bindgen(js_name = measureHand)]
    pub fn measure_hand(&self, css_px_per_mm: f32) -> Option<f32> {
        let mut s = self.inner.borrow_mut();
        let (scale, _) = crate::track::session::cover_fit(s.tracked_picture_px, s.viewport_css);
        s.tracking.as_mut()?.measure_hand(css_px_per_mm / scale)
    }

    /// Measures the followed face's eye distance with a calibrated scale (CSS px per mm beside
    /// the face), so true size then follows the face; returns it in mm, or undefined.
    #[wasm_bindgen(js_name = measureFace)]
    pub fn measure_face(&self, css_px_per_mm: f32) -> Option<f32> {
        let mut s = self.inner.borrow_mut();
        let (scale, _) = crate::track::session::cover_fit(s.tracked_picture_px, s.viewport_css);
        s.face_tracking
            .as_mut()?
            .measure_face(css_px_per_mm / scale)
    }

    /// The finger's measured width where the ring sits, mm (undefined forgets it): the finger
    /// proxy takes it. Returns whether it was taken (8–30 mm, while a hand is tracked).
    #[wasm_bindgen(js_name = setFingerDiameterMm)]
    pub fn set_finger_diameter_mm(&self, mm: Option<f32>) -> bool {
        self.inner
            .borrow_mut()
            .tracking
            .as_mut()
            .is_some_and(|s| s.set_finger_diameter_mm(mm))
    }

    /// Darken (true, the default) or not the finger next to a tracked ring.
    #[wasm_bindgen(js_name = setContactShadow)]
    pub fn set_contact_shadow(&self, on: bool) {
        self.inner.borrow_mut().contact_shadow = on;
    }

    /// Hide (true, the default) or show what lies behind the tracked finger or wrist.
    #[wasm_bindgen(js_name = setOcclusion)]
    pub fn set_occlusion(&self, on: bool) {
        self.inner.borrow_mut().occlusion = on;
    }

    /// The tracked jewel as last drawn: `{x, y}` in CSS px from the element's top-left,
    /// `opacity`, `pxPerMm` (CSS px per mm there), `up` (the model's +Y, where a ring's stone
    /// points, in view space: x right, y up, z towards the viewer), `tracking`, and
    /// `knuckleSpanMm` (a hand) or `eyeDistanceMm` (a face); `jewels` lists every copy drawn
    /// (a pair of earrings: the viewer's left one first) with the same fields, and the top-level
    /// fields are the first's. Null when not tracking.
    #[wasm_bindgen(getter, js_name = trackedJewel)]
    pub fn tracked_jewel(&self) -> JsValue {
        let s = self.inner.borrow();
        let o = js_sys::Object::new();
        let set = |o: &js_sys::Object, k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(o, &k.into(), &v);
        };
        match (&s.tracking, &s.face_tracking) {
            (Some(hand), _) => {
                set(&o, "tracking", hand.tracking().into());
                set(&o, "knuckleSpanMm", hand.knuckle_span_mm().into());
                if let Some(mm) = hand.finger_diameter_mm() {
                    set(&o, "fingerDiameterMm", mm.into());
                }
            }
            (None, Some(face)) => {
                set(&o, "tracking", face.tracking().into());
                set(&o, "eyeDistanceMm", face.eye_distance_mm().into());
            }
            (None, None) => return JsValue::NULL,
        }
        let describe = |target: &js_sys::Object, d: &Drawn| {
            set(target, "x", d.at_css.x.into());
            set(target, "y", d.at_css.y.into());
            set(target, "opacity", d.opacity.into());
            set(target, "pxPerMm", d.px_per_mm.into());
            set(
                target,
                "up",
                js_sys::Array::of3(&d.up.x.into(), &d.up.y.into(), &d.up.z.into()).into(),
            );
        };
        match s.drawn.first() {
            Some(first) => describe(&o, first),
            None => set(&o, "opacity", 0.into()),
        }
        let jewels = js_sys::Array::new();
        for d in &s.drawn {
            let j = js_sys::Object::new();
            describe(&j, d);
            jewels.push(&j);
        }
        set(&o, "jewels", jewels.into());
        o.into()
    }

    /// Draws one frame. Throws "context-lost: …" once the GPU device is gone.
    pub fn render(&self, time_ms: f64) -> Result<(), JsError> {
        if self.lost.load(Ordering::Relaxed) {
            return Err(JsError::new("context-lost: the GPU device was lost"));
        }
        let mut guard = self.inner.borrow_mut();
        let s = &mut *guard;
        let Some(config) = s.config.clone() else {
            return Ok(());
        };
        s.renderer.background = match &s.source {
            Source::Video { video, mirror }
                if video.ready_state() >= 2 && video.video_width() > 0 =>
            {
                let (w, h) = (video.video_width(), video.video_height());
                let texture = s.renderer.background_texture(w, h).clone();
                images::copy_external(
                    &s.renderer.queue,
                    wgpu::ExternalImageSource::HTMLVideoElement(video.clone()),
                    &texture,
                    w,
                    h,
                );
                Background::Texture(cover_uv(
                    w as f32,
                    h as f32,
                    s.viewport_css.x,
                    s.viewport_css.y,
                    *mirror,
                ))
            }
            Source::Image {
                width,
                height,
                mirror,
            } => Background::Texture(cover_uv(
                *width as f32,
                *height as f32,
                s.viewport_css.x,
                s.viewport_css.y,
                *mirror,
            )),
            // A camera that has not produced a frame yet shows black, not the studio backdrop.
            Source::Video { .. } => Background::Clear([0.0, 0.0, 0.0, 1.0]),
            Source::None => Background::Neutral,
        };
        let mut placement = s.placement;
        if s.turntable {
            let angle = (time_ms / 1000.0 % (std::f64::consts::TAU / TURNTABLE_RAD_PER_S as f64))
                as f32
                * TURNTABLE_RAD_PER_S;
            placement.rotation *= Quat::from_rotation_y(angle);
        }
        let time_s = time_ms / 1000.0;
        let tracked = tracked_jewels(s, time_s);
        s.drawn.clear();
        let (view, instances) = match tracked {
            Some(jewels) if !jewels.is_empty() => {
                // Far enough for the jewel and its proxy: the proxy's corners in model space.
                let proxy_reach = jewels
                    .iter()
                    .flat_map(|w| {
                        let m = w.proxy;
                        [-1.0f32, 1.0].into_iter().flat_map(move |z| {
                            [glam::Vec3::new(1.0, 1.0, z), glam::Vec3::new(-1.0, -1.0, z)]
                                .map(|c| m.transform_point3(c).length())
                        })
                    })
                    .fold(0.0f32, f32::max);
                let reach_m = s
                    .bounds_m
                    .min
                    .abs()
                    .max(s.bounds_m.max.abs())
                    .length()
                    .max(proxy_reach)
                    * 1.1;
                let mut first_view = None;
                let mut instances = Vec::with_capacity(jewels.len());
                for Worn {
                    pose,
                    proxy,
                    shadow,
                } in &jewels
                {
                    let view = tracked_view(
                        pose,
                        s.tracked_picture_px,
                        s.viewport_css,
                        VFOV_DEG.to_radians(),
                        reach_m,
                    );
                    if let Some(at_css) = view.project_to_css(glam::Vec3::ZERO, s.viewport_css) {
                        s.drawn.push(Drawn {
                            at_css,
                            opacity: pose.opacity,
                            px_per_mm: view.px_per_mm,
                            up: pose.anchor.up(),
                        });
                    }
                    let (world_from_model, model_from_proxy) = crate::track::session::worn(
                        view.world_from_model,
                        s.piece.loupe_from_model,
                        *proxy,
                    );
                    instances.push(Instance {
                        world_from_scene: world_from_model,
                        opacity: pose.opacity,
                        occluder: s.occlusion.then_some(model_from_proxy),
                        contact_shadow: *shadow,
                    });
                    // Jewels on one body share its scale, hence its depth and projection.
                    first_view.get_or_insert(view);
                }
                (first_view.expect("at least one jewel"), instances)
            }
            Some(_) => {
                // Tracking with no hand or face yet (or faded out): the picture alone.
                let view = frame_view(
                    &placement,
                    s.viewport_css,
                    s.px_per_mm,
                    &s.bounds_m,
                    VFOV_DEG.to_radians(),
                );
                (view, Vec::new())
            }
            None => {
                let view = frame_view(
                    &placement,
                    s.viewport_css,
                    s.px_per_mm,
                    &s.bounds_m,
                    VFOV_DEG.to_radians(),
                );
                let instance = Instance::opaque(view.world_from_model);
                (view, vec![instance])
            }
        };
        let camera = CameraMatrices {
            clip_from_view: view.clip_from_view,
            view_from_world: view.view_from_world,
            eye_world: view.eye_world,
        };
        s.view_from_world = view.view_from_world;
        let frame = match s.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f)
            | wgpu::CurrentSurfaceTexture::Suboptimal(f) => f,
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => {
                return Ok(())
            }
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                s.surface.configure(&s.renderer.device, &config);
                return Ok(());
            }
            wgpu::CurrentSurfaceTexture::Validation => {
                return Err(JsError::new("the canvas texture could not be acquired"));
            }
        };
        let target = frame.texture.create_view(&Default::default());
        s.renderer
            .render(&target, config.width, config.height, &camera, &instances);
        s.renderer.queue.present(frame);
        Ok(())
    }
}

fn model_info(scene: &Scene, warnings: &[String]) -> JsValue {
    let o = js_sys::Object::new();
    let arr = |v: glam::Vec3| js_sys::Array::of3(&v.x.into(), &v.y.into(), &v.z.into());
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&o, &k.into(), v);
    };
    set("boundsMinM", &arr(scene.bounds_m.min));
    set("boundsMaxM", &arr(scene.bounds_m.max));
    set(
        "sizeMm",
        &arr(scene.bounds_m.size() * crate::math::units::MM_PER_M),
    );
    set("triangles", &(scene.triangle_count() as u32).into());
    let v = js_sys::Array::new();
    for name in &scene.variants {
        v.push(&name.into());
    }
    set("variants", &v);
    set("gems", &(scene.gems().count() as u32).into());
    set(
        "kind",
        &scene
            .piece
            .kind
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from),
    );
    set(
        "innerDiameterMm",
        &scene
            .piece
            .inner_diameter_mm
            .map_or(JsValue::NULL, JsValue::from),
    );
    let w = js_sys::Array::new();
    for s in warnings {
        w.push(&s.into());
    }
    set("warnings", &w);
    o.into()
}
