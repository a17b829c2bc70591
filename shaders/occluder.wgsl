// Occluder: the body part a jewel is worn on (a finger, a wrist), drawn into depth only before the
// jewel, so the parts of the jewel behind it are hidden and the camera picture shows through.

struct Occluder {
    world_from_occluder: mat4x4<f32>,
};

@group(1) @binding(0) var<uniform> occluder: Occluder;

@vertex
fn vs_main(@location(0) position: vec3<f32>) -> @builtin(position) vec4<f32> {
    return frame.clip_from_world * occluder.world_from_occluder * vec4<f32>(position, 1.0);
}

// The colour target is write-masked off; a fragment stage is still needed to match the pass.
@fragment
fn fs_main() -> @location(0) vec4<f32> {
    return vec4<f32>(0.0);
}
