// Occluder: the body part a jewel is worn on (a finger, a wrist), drawn into depth only before the
// jewel, so the parts of the jewel behind it are hidden and the camera picture shows through.
// The same cylinder, drawn again over the picture, darkens the skin next to the jewel: a soft
// contact shadow.

struct Occluder {
    world_from_occluder: mat4x4<f32>,
    // Contact shadow in the unit cylinder's z (−1..1): the jewel touches from x to y; the shadow
    // falls off as exp(−distance / z) beyond; w is its strength (0 none, 1 black).
    shadow: vec4<f32>,
};

struct OccluderOut {
    @builtin(position) position: vec4<f32>,
    @location(0) unit_z: f32,
};

@group(1) @binding(0) var<uniform> occluder: Occluder;

@vertex
fn vs_main(@location(0) position: vec3<f32>) -> OccluderOut {
    var out: OccluderOut;
    out.position = frame.clip_from_world * occluder.world_from_occluder * vec4<f32>(position, 1.0);
    out.unit_z = position.z;
    return out;
}

// The colour target is write-masked off; a fragment stage is still needed to match the pass.
@fragment
fn fs_main() -> @location(0) vec4<f32> {
    return vec4<f32>(0.0);
}

// Multiplied into the picture (blend: destination × source), where the cylinder is the nearest
// surface, before the jewel is drawn over it.
@fragment
fn fs_shadow(in: OccluderOut) -> @location(0) vec4<f32> {
    let s = occluder.shadow;
    let outside = max(max(s.x - in.unit_z, in.unit_z - s.y), 0.0);
    let dark = clamp(s.w, 0.0, 1.0) * exp(-outside / max(s.z, 1e-4));
    return vec4<f32>(vec3<f32>(1.0 - dark), 1.0);
}
