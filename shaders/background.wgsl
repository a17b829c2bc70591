// Background: the camera frame or photo (cover-fit, already display-encoded), the environment as a
// skybox, or a neutral studio backdrop. One full-screen triangle, drawn before the jewel.

struct BackgroundOut {
    @builtin(position) position: vec4<f32>,
    @location(0) ndc: vec2<f32>,
};

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> BackgroundOut {
    let x = f32((index << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(index & 2u) * 2.0 - 1.0;
    var out: BackgroundOut;
    out.position = vec4<f32>(x, y, 1.0, 1.0);
    out.ndc = vec2<f32>(x, y);
    return out;
}

@fragment
fn fs_main(in: BackgroundOut) -> @location(0) vec4<f32> {
    let mode = frame.params.w;
    let screen_uv = vec2<f32>(in.ndc.x * 0.5 + 0.5, 0.5 - in.ndc.y * 0.5);
    if (mode == BG_TEXTURE) {
        let uv = screen_uv * frame.bg_uv.xy + frame.bg_uv.zw;
        // The camera frame is already display-encoded: pass it through untouched.
        return vec4<f32>(textureSampleLevel(bg_map, bg_sampler, uv, 0.0).rgb, 1.0);
    }
    if (mode == BG_SKYBOX) {
        let far = frame.world_from_clip * vec4<f32>(in.ndc, 1.0, 1.0);
        let dir = far.xyz / far.w - frame.eye_world.xyz;
        return vec4<f32>(display_encode(sample_env(dir, 0.0)), 1.0);
    }
    // Neutral backdrop: a soft vignette from light grey, like a product photo table.
    let r = length(in.ndc * vec2<f32>(0.8, 1.0));
    let grey = mix(0.93, 0.80, smoothstep(0.2, 1.4, r));
    return vec4<f32>(vec3<f32>(grey), 1.0);
}
