// Sparkle bloom: the gem pass's glint image (light beyond near-white, stones only) is blurred at
// half resolution, across then down, and added over the finished frame. Only stones glow: metal
// highlights and a bright camera background never enter the glint image.

@group(1) @binding(0) var bloom_source: texture_2d<f32>;
@group(1) @binding(1) var bloom_sampler: sampler;

struct FullscreenOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn vs_fullscreen(@builtin(vertex_index) i: u32) -> FullscreenOut {
    let xy = vec2<f32>(f32((i << 1u) & 2u), f32(i & 2u)) * 2.0 - 1.0;
    var out: FullscreenOut;
    out.clip = vec4<f32>(xy, 0.0, 1.0);
    out.uv = vec2<f32>(xy.x * 0.5 + 0.5, 0.5 - xy.y * 0.5);
    return out;
}

// Gaussian, sigma 2 taps, taps 0..4 (normalised over −4..4).
const BLUR_WEIGHTS = array<f32, 5>(0.2042, 0.1802, 0.1238, 0.0663, 0.0276);

fn blur(uv: vec2<f32>, step: vec2<f32>) -> vec4<f32> {
    var sum = textureSampleLevel(bloom_source, bloom_sampler, uv, 0.0) * BLUR_WEIGHTS[0];
    for (var i = 1; i < 5; i++) {
        let offset = step * f32(i);
        let w = BLUR_WEIGHTS[i];
        sum += textureSampleLevel(bloom_source, bloom_sampler, uv + offset, 0.0) * w;
        sum += textureSampleLevel(bloom_source, bloom_sampler, uv - offset, 0.0) * w;
    }
    return sum;
}

// Full-resolution glints into a half-resolution target: each tap, sampled bilinearly between
// four source pixels, also averages them down. A tap is one half-resolution pixel (two source
// pixels) apart.
@fragment
fn fs_blur_across(in: FullscreenOut) -> @location(0) vec4<f32> {
    let texel = 1.0 / vec2<f32>(textureDimensions(bloom_source));
    return blur(in.uv, vec2<f32>(2.0 * texel.x, 0.0));
}

@fragment
fn fs_blur_down(in: FullscreenOut) -> @location(0) vec4<f32> {
    let texel = 1.0 / vec2<f32>(textureDimensions(bloom_source));
    return blur(in.uv, vec2<f32>(0.0, texel.y));
}

// Added over the frame (blend one + one). Premultiplied: alpha rises with the glow so that it
// also shows over a transparent page.
@fragment
fn fs_add(in: FullscreenOut) -> @location(0) vec4<f32> {
    let glow = textureSampleLevel(bloom_source, bloom_sampler, in.uv, 0.0).rgb * frame.view_forward.w;
    return vec4<f32>(glow, max(glow.r, max(glow.g, glow.b)));
}
