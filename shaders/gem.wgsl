// The gem pass: a faceted stone traced exactly as the intersection of its facet half-spaces, in
// the stone's mesh space. At the entry facet and at every internal hit the exact unpolarised
// Fresnel split, total internal reflection past the critical angle, Beer–Lambert absorption
// along each path, every escaping ray weighted by the environment, early exit below 1e-3; light
// still inside after the last bounce leaves as diffuse light at the environment's mean radiance,
// so energy is conserved.
// Dispersion: each colour channel traced with its own index. This is src/optics/stone.rs line
// for line in f32; change both together.

const MAX_FACETS: u32 = 128u;
const MAX_BOUNCES: u32 = 16u;
const MIN_THROUGHPUT: f32 = 1e-3;

struct Gem {
    // Mesh space: outward unit normal xyz, offset w (metres); inside is dot(n, x) <= w.
    planes: array<vec4<f32>, 128>,
    // rgb: Beer–Lambert extinction per world metre; w: facet count
    extinction: vec4<f32>,
    // x: refractive index, y: KHR_materials_dispersion, z: the share of diffuse light inside
    // that leaves through a facet (src/optics/fresnel.rs, diffuse_escape_probability)
    optics: vec4<f32>,
    // rgb: base colour, which tints transmitted light
    tint: vec4<f32>,
};

struct Draw {
    world_from_model: mat4x4<f32>,
    normal_from_model: mat4x4<f32>,
};

@group(1) @binding(0) var<uniform> gem: Gem;
@group(2) @binding(0) var<uniform> draw: Draw;

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world_m: vec3<f32>,
};

@vertex
fn vs_main(@location(0) position_m: vec3<f32>) -> VertexOut {
    var out: VertexOut;
    let world = draw.world_from_model * vec4<f32>(position_m, 1.0);
    out.world_m = world.xyz;
    out.clip = frame.clip_from_world * world;
    return out;
}

fn facet_count() -> u32 {
    return min(u32(gem.extinction.w), MAX_FACETS);
}

// Entry of a ray from outside: xyz the facet's outward normal, w the distance; w < 0 on a miss.
fn enter(o: vec3<f32>, d: vec3<f32>) -> vec4<f32> {
    var t_enter = -1e30;
    var t_leave = 1e30;
    var normal = vec3<f32>(0.0);
    for (var i = 0u; i < facet_count(); i++) {
        let plane = gem.planes[i];
        let along = dot(plane.xyz, d);
        let t = (plane.w - dot(plane.xyz, o)) / along;
        if (along < 0.0) {
            if (t > t_enter) {
                t_enter = t;
                normal = plane.xyz;
            }
        } else if (along > 0.0) {
            t_leave = min(t_leave, t);
        } else if (dot(plane.xyz, o) > plane.w) {
            return vec4<f32>(0.0, 0.0, 0.0, -1.0);
        }
    }
    if (t_enter > 0.0 && t_enter < t_leave) {
        return vec4<f32>(normal, t_enter);
    }
    return vec4<f32>(0.0, 0.0, 0.0, -1.0);
}

// Exit of a ray inside: xyz the facet's outward normal, w the distance.
fn leave(p: vec3<f32>, d: vec3<f32>) -> vec4<f32> {
    var t_leave = 1e30;
    var normal = d;
    for (var i = 0u; i < facet_count(); i++) {
        let plane = gem.planes[i];
        let along = dot(plane.xyz, d);
        if (along > 0.0) {
            let t = max((plane.w - dot(plane.xyz, p)) / along, 0.0);
            if (t < t_leave) {
                t_leave = t;
                normal = plane.xyz;
            }
        }
    }
    return vec4<f32>(normal, t_leave);
}

// Unpolarised Fresnel reflectance; eta = n_incident / n_transmitted; 1 past the critical angle.
fn fresnel(cos_incident: f32, eta: f32) -> f32 {
    let cos_i = clamp(cos_incident, 0.0, 1.0);
    let sin2_t = eta * eta * (1.0 - cos_i * cos_i);
    if (sin2_t >= 1.0) {
        return 1.0;
    }
    let cos_t = sqrt(1.0 - sin2_t);
    let rs = (eta * cos_i - cos_t) / (eta * cos_i + cos_t);
    let rp = (cos_i - eta * cos_t) / (cos_i + eta * cos_t);
    return 0.5 * (rs * rs + rp * rp);
}

fn max3(v: vec3<f32>) -> f32 {
    return max(v.x, max(v.y, v.z));
}

fn env_from_model(d_model: vec3<f32>) -> vec3<f32> {
    return scene_radiance((draw.world_from_model * vec4<f32>(d_model, 0.0)).xyz, 0.0);
}

// What a ray that entered the stone at `p` through the facet with outward normal `n_in` (ray
// direction `d`, mesh space) sees at index `ior`: the entry reflection plus every escape.
// `metres_per_unit` scales path lengths for absorption.
fn trace(p_in: vec3<f32>, d: vec3<f32>, n_in: vec3<f32>, ior: f32, metres_per_unit: f32) -> vec3<f32> {
    let f_in = fresnel(-dot(n_in, d), 1.0 / ior);
    var radiance = env_from_model(reflect(d, n_in)) * f_in;
    var dir = refract(d, n_in, 1.0 / ior);
    var p = p_in;
    var throughput = gem.tint.rgb * (1.0 - f_in);
    let bounces = min(u32(frame.env.y), MAX_BOUNCES);
    for (var bounce = 0u; bounce < bounces; bounce++) {
        if (max3(throughput) < MIN_THROUGHPUT) {
            break;
        }
        let out = leave(p, dir);
        p += dir * out.w;
        throughput *= exp(-gem.extinction.rgb * (out.w * metres_per_unit));
        let f = fresnel(dot(out.xyz, dir), ior);
        if (f < 1.0) {
            let escaped = refract(dir, -out.xyz, ior);
            radiance += throughput * (1.0 - f) * env_from_model(escaped);
        }
        throughput *= f;
        dir = reflect(dir, out.xyz);
    }
    if (max3(throughput) >= MIN_THROUGHPUT) {
        // Out of bounces: what is left is taken as diffuse. It leaves at the environment's mean
        // radiance, gem.optics.z of it at each facet it meets, crossing the stone again in
        // between (as far as to the next facet), absorbed all the way.
        let out = leave(p, dir);
        let kept = exp(-gem.extinction.rgb * (out.w * metres_per_unit));
        let escape = gem.optics.z;
        let leaving = kept * escape / max(vec3<f32>(1.0) - (1.0 - escape) * kept, vec3<f32>(1e-12));
        radiance += throughput * leaving * mean_radiance();
    }
    return radiance;
}

// Rotated-grid offsets in pixels: facet edges 1–3 px apart need more than one ray per pixel.
fn ray_offset(i: u32, count: u32) -> vec2<f32> {
    if (count <= 1u) {
        return vec2<f32>(0.0);
    }
    var grid = array<vec2<f32>, 4>(
        vec2<f32>(-0.125, -0.375),
        vec2<f32>(0.375, -0.125),
        vec2<f32>(0.125, 0.375),
        vec2<f32>(-0.375, 0.125),
    );
    if (count == 2u) {
        grid[1] = grid[2];
    }
    return grid[i];
}

// Light the stone sends towards the eye at this pixel, averaged over `rays` rays.
fn stone_radiance(in: VertexOut, rays: u32) -> vec3<f32> {
    // World-space size of one pixel on the facet, for the supersampling offsets (uniform flow).
    let dx = dpdx(in.world_m);
    let dy = dpdy(in.world_m);
    let model_from_world = transpose(draw.normal_from_model);
    let eye_m = (model_from_world * vec4<f32>(frame.eye_world.xyz, 1.0)).xyz;
    let metres_per_unit = length(draw.world_from_model[0].xyz);
    let ior = max(gem.optics.x, 1.0);
    let half_spread = (ior - 1.0) * 0.025 * max(gem.optics.y, 0.0);
    let iors = vec3<f32>(ior - half_spread, ior, ior + half_spread);
    var sum = vec3<f32>(0.0);
    var hits = 0.0;
    // One path per channel (each with its own index), or one path for all three.
    let paths = select(1u, 3u, frame.env.w > 0.5);
    for (var i = 0u; i < rays; i++) {
        let offset = ray_offset(i, rays);
        let target_world = in.world_m + dx * offset.x + dy * offset.y;
        let d = normalize((model_from_world * vec4<f32>(target_world - frame.eye_world.xyz, 0.0)).xyz);
        let hit = enter(eye_m, d);
        if (hit.w < 0.0) {
            continue;
        }
        let p = eye_m + d * hit.w;
        var c = vec3<f32>(0.0);
        for (var ch = 0u; ch < paths; ch++) {
            let r = trace(p, d, hit.xyz, select(ior, iors[ch], paths == 3u), metres_per_unit);
            if (paths == 3u) {
                c[ch] = r[ch];
            } else {
                c = r;
            }
        }
        sum += c;
        hits += 1.0;
    }
    if (hits > 0.0) {
        return sum / hits;
    }
    // The pixel centre lies just outside the stone's silhouette (MSAA edge): show what is
    // behind it rather than black.
    return scene_radiance(in.world_m - frame.eye_world.xyz, 0.0);
}

@fragment
fn fs_main(in: VertexOut) -> @location(0) vec4<f32> {
    let rays = clamp(u32(frame.env.z), 1u, 4u);
    return vec4<f32>(display_encode(stone_radiance(in, rays)), 1.0);
}

// Sparkle: the light of a stone pixel (one ray at its centre) beyond the level where tone
// mapping has already turned it nearly white, in exposed linear units (ACES maps 2.0 to about
// 0.86). The bloom pass spreads it around the glint; GLINT_RANGE caps one glint's share.
const GLINT_THRESHOLD: f32 = 2.0;
const GLINT_RANGE: f32 = 3.0;

@fragment
fn fs_glint(in: VertexOut) -> @location(0) vec4<f32> {
    let exposed = stone_radiance(in, 1u) * frame.params.x / 0.6;
    let excess = max(exposed - vec3<f32>(GLINT_THRESHOLD), vec3<f32>(0.0));
    return vec4<f32>(min(excess / GLINT_RANGE, vec3<f32>(1.0)), 1.0);
}
