// Prepended to every pass. Everything a pass shares: the per-frame uniform, the environment,
// tone mapping and colour encoding. Colour is linear until `display_encode`, which applies
// exposure, ACES (Hill's fit, as three.js and model-viewer use) and the sRGB transfer curve:
// targets are plain UNORM so that WebGPU and WebGL2 canvases behave the same.

const PI: f32 = 3.14159265359;

const BG_NONE: f32 = 0.0;
const BG_TEXTURE: f32 = 1.0;
const BG_SKYBOX: f32 = 2.0;
const BG_NEUTRAL: f32 = 3.0;

struct Frame {
    clip_from_world: mat4x4<f32>,
    world_from_clip: mat4x4<f32>,
    eye_world: vec4<f32>,
    // x exposure, y highest environment mip, z environment intensity, w background mode
    params: vec4<f32>,
    // background texture: source_uv = screen_uv * xy + zw (cover fit and mirroring baked in)
    bg_uv: vec4<f32>,
    // x: environment yaw in radians (turns the lights, not the jewel); gem pass: y internal
    // bounces, z rays per pixel, w 1 for per-channel dispersion paths
    env: vec4<f32>,
    // rgb: gain on environment radiance (the room's white balance and brightness in camera
    // mode, else 1)
    tint: vec4<f32>,
    // xyz: the camera's forward direction in world space; w: sparkle bloom strength (0 off)
    view_forward: vec4<f32>,
    // irradiance as 9 SH coefficients (rgb), E(n) = Σ c_i Y_i(n)
    sh: array<vec4<f32>, 9>,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var env_map: texture_2d<f32>;
@group(0) @binding(2) var env_sampler: sampler;
@group(0) @binding(3) var bg_map: texture_2d<f32>;
@group(0) @binding(4) var bg_sampler: sampler;

fn rotate_y(d: vec3<f32>, angle: f32) -> vec3<f32> {
    let c = cos(angle);
    let s = sin(angle);
    return vec3<f32>(c * d.x + s * d.z, d.y, -s * d.x + c * d.z);
}

// Equirectangular: v = 0 straight up (+Y), u = 0.5 looks down −Z.
fn env_uv(d: vec3<f32>) -> vec2<f32> {
    let r = rotate_y(normalize(d), frame.env.x);
    let u = 0.5 + atan2(r.x, -r.z) / (2.0 * PI);
    let v = acos(clamp(r.y, -1.0, 1.0)) / PI;
    return vec2<f32>(u, v);
}

fn sample_env(d: vec3<f32>, lod: f32) -> vec3<f32> {
    return textureSampleLevel(env_map, env_sampler, env_uv(d), lod).rgb * frame.params.z * frame.tint.rgb;
}

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + 0.055) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

// What a reflected or refracted ray sees. Over the camera feed the frame shows what lies behind
// the jewel, so rays heading away from the viewer see the frame (where they land on it) instead of
// the studio, fully once they head well away and only on glossy paths (the frame has no blurred
// levels). The frame is display-encoded; its sRGB decoding stands in for radiance.
fn scene_radiance(d: vec3<f32>, lod: f32) -> vec3<f32> {
    let studio = sample_env(d, lod);
    if (frame.params.w != BG_TEXTURE) {
        return studio;
    }
    let dir = normalize(d);
    let clip = frame.clip_from_world * vec4<f32>(dir, 0.0);
    let gloss = 1.0 - clamp(lod / max(frame.params.y, 1.0), 0.0, 1.0);
    let weight = smoothstep(0.3, 0.8, dot(dir, frame.view_forward.xyz)) * gloss * gloss;
    if (weight <= 0.0 || clip.w <= 0.0) {
        return studio;
    }
    let ndc = clip.xy / clip.w;
    let screen_uv = clamp(vec2<f32>(ndc.x * 0.5 + 0.5, 0.5 - ndc.y * 0.5), vec2<f32>(0.0), vec2<f32>(1.0));
    let uv = screen_uv * frame.bg_uv.xy + frame.bg_uv.zw;
    let room = srgb_to_linear(textureSampleLevel(bg_map, bg_sampler, uv, 0.0).rgb);
    return mix(studio, room, weight);
}

// Irradiance from the SH coefficients; the basis order matches env::prefilter.
fn irradiance(n_world: vec3<f32>) -> vec3<f32> {
    let n = rotate_y(normalize(n_world), frame.env.x);
    var e = frame.sh[0].rgb * 0.282095;
    e += frame.sh[1].rgb * (0.488603 * n.y);
    e += frame.sh[2].rgb * (0.488603 * n.z);
    e += frame.sh[3].rgb * (0.488603 * n.x);
    e += frame.sh[4].rgb * (1.092548 * n.x * n.y);
    e += frame.sh[5].rgb * (1.092548 * n.y * n.z);
    e += frame.sh[6].rgb * (0.315392 * (3.0 * n.z * n.z - 1.0));
    e += frame.sh[7].rgb * (1.092548 * n.x * n.z);
    e += frame.sh[8].rgb * (0.546274 * (n.x * n.x - n.y * n.y));
    return max(e, vec3<f32>(0.0)) * frame.params.z;
}

// The environment's radiance averaged over the sphere: the irradiance's first SH band is
// π · mean · Y00, and Y00 = 0.282095.
fn mean_radiance() -> vec3<f32> {
    return max(frame.sh[0].rgb, vec3<f32>(0.0)) * (0.282095 / 3.14159265) * frame.params.z;
}

fn aces_fitted(color_linear: vec3<f32>) -> vec3<f32> {
    let aces_in = mat3x3<f32>(
        vec3<f32>(0.59719, 0.07600, 0.02840),
        vec3<f32>(0.35458, 0.90834, 0.13383),
        vec3<f32>(0.04823, 0.01566, 0.83777),
    );
    let aces_out = mat3x3<f32>(
        vec3<f32>(1.60475, -0.10208, -0.00327),
        vec3<f32>(-0.53108, 1.10813, -0.07276),
        vec3<f32>(-0.07367, -0.00605, 1.07602),
    );
    let v = aces_in * color_linear;
    let a = v * (v + 0.0245786) - 0.000090537;
    let b = v * (0.983729 * v + 0.4329510) + 0.238081;
    return clamp(aces_out * (a / b), vec3<f32>(0.0), vec3<f32>(1.0));
}

fn linear_to_srgb(c: vec3<f32>) -> vec3<f32> {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3<f32>(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3<f32>(0.0031308));
}

// Linear scene radiance → the display value written to the canvas.
fn display_encode(color_linear: vec3<f32>) -> vec3<f32> {
    // three.js divides exposure by 0.6 in its ACES path; doing the same keeps us comparable to
    // model-viewer at the same exposure.
    return linear_to_srgb(aces_fitted(color_linear * frame.params.x / 0.6));
}
