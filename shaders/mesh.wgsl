// glTF metallic-roughness with image-based lighting: split-sum specular from the prefiltered
// environment mips, SH irradiance for diffuse, and multiple-scattering energy compensation
// (Fdez-Agüera 2019) so rough metals do not lose energy. Transmissive gems get a single
// refraction lookup here; the exact facet tracer is a separate pass.
// Layered extensions, from their factors: KHR_materials_specular scales and tints the dielectric
// lobe, KHR_materials_anisotropy bends the reflection the way Khronos' sample viewer does (brushed
// metal), and KHR_materials_clearcoat adds a lacquer lobe (IOR 1.5) over the base, which it dims
// by its Fresnel reflectance.

struct Material {
    base_color: vec4<f32>,
    // rgb emissive (linear, strength applied), a alpha cutoff
    emissive: vec4<f32>,
    // metallic, roughness, normal scale, occlusion strength
    surface: vec4<f32>,
    // transmission, ior, alpha mode (0 opaque, 1 mask, 2 blend), unused
    optics: vec4<f32>,
    // KHR_materials_specular: rgb specular colour factor, a specular factor
    specular: vec4<f32>,
    // KHR_materials_clearcoat factor and roughness, KHR_materials_anisotropy strength and
    // rotation (radians)
    layers: vec4<f32>,
    // per texture slot (base, metallic-roughness, normal, occlusion, emissive), two rows:
    // (m00, m01, m10, m11) and (tx, ty, uv set, present) of KHR_texture_transform
    uv_transform: array<vec4<f32>, 10>,
};

struct Draw {
    world_from_model: mat4x4<f32>,
    normal_from_model: mat4x4<f32>,
};

@group(1) @binding(0) var<uniform> material: Material;
@group(1) @binding(1) var base_color_map: texture_2d<f32>;
@group(1) @binding(2) var base_color_sampler: sampler;
@group(1) @binding(3) var metal_rough_map: texture_2d<f32>;
@group(1) @binding(4) var metal_rough_sampler: sampler;
@group(1) @binding(5) var normal_map: texture_2d<f32>;
@group(1) @binding(6) var normal_sampler: sampler;
@group(1) @binding(7) var occlusion_map: texture_2d<f32>;
@group(1) @binding(8) var occlusion_sampler: sampler;
@group(1) @binding(9) var emissive_map: texture_2d<f32>;
@group(1) @binding(10) var emissive_sampler: sampler;

@group(2) @binding(0) var<uniform> draw: Draw;

struct VertexIn {
    @location(0) position_m: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tangent: vec4<f32>,
    @location(3) uv0: vec2<f32>,
    @location(4) uv1: vec2<f32>,
};

struct VertexOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) world_m: vec3<f32>,
    @location(1) normal: vec3<f32>,
    @location(2) tangent: vec4<f32>,
    @location(3) uv0: vec2<f32>,
    @location(4) uv1: vec2<f32>,
};

@vertex
fn vs_main(in: VertexIn) -> VertexOut {
    var out: VertexOut;
    let world = draw.world_from_model * vec4<f32>(in.position_m, 1.0);
    out.world_m = world.xyz;
    out.clip = frame.clip_from_world * world;
    out.normal = (draw.normal_from_model * vec4<f32>(in.normal, 0.0)).xyz;
    out.tangent = vec4<f32>((draw.world_from_model * vec4<f32>(in.tangent.xyz, 0.0)).xyz, in.tangent.w);
    out.uv0 = in.uv0;
    out.uv1 = in.uv1;
    return out;
}

fn slot_uv(slot: u32, in: VertexOut) -> vec2<f32> {
    let m = material.uv_transform[slot * 2u];
    let t = material.uv_transform[slot * 2u + 1u];
    let uv = select(in.uv0, in.uv1, t.z > 0.5);
    return vec2<f32>(m.x * uv.x + m.z * uv.y + t.x, m.y * uv.x + m.w * uv.y + t.y);
}

fn slot_present(slot: u32) -> bool {
    return material.uv_transform[slot * 2u + 1u].w > 0.5;
}

// Karis' analytic fit of the split-sum DFG term: returns (scale, bias) for F0.
fn env_brdf(roughness: f32, n_dot_v: f32) -> vec2<f32> {
    let c0 = vec4<f32>(-1.0, -0.0275, -0.572, 0.022);
    let c1 = vec4<f32>(1.0, 0.0425, 1.04, -0.04);
    let r = roughness * c0 + c1;
    let a004 = min(r.x * r.x, exp2(-9.28 * n_dot_v)) * r.x + r.y;
    return vec2<f32>(-1.04, 1.04) * a004 + r.zw;
}

@fragment
fn fs_main(in: VertexOut, @builtin(front_facing) front: bool) -> @location(0) vec4<f32> {
    // Textures are sampled unconditionally (uniform control flow); absent slots hold 1×1 defaults.
    let base_tex = textureSample(base_color_map, base_color_sampler, slot_uv(0u, in));
    let mr_tex = textureSample(metal_rough_map, metal_rough_sampler, slot_uv(1u, in));
    let normal_tex = textureSample(normal_map, normal_sampler, slot_uv(2u, in));
    let occlusion_tex = textureSample(occlusion_map, occlusion_sampler, slot_uv(3u, in));
    let emissive_tex = textureSample(emissive_map, emissive_sampler, slot_uv(4u, in));

    let base = material.base_color * vec4<f32>(srgb_to_linear(base_tex.rgb), base_tex.a);
    let alpha_mode = material.optics.z;
    if (alpha_mode == 1.0 && base.a < material.emissive.a) {
        discard;
    }
    let metallic = clamp(material.surface.x * mr_tex.b, 0.0, 1.0);
    let roughness = clamp(material.surface.y * mr_tex.g, 0.02, 1.0);

    var n = normalize(in.normal);
    if (!front) {
        n = -n;
    }
    let n_geometric = n;
    // The tangent frame: the vertex tangent (generated at load when the file has none) made
    // perpendicular to the normal, with any perpendicular as a fallback for a degenerate one.
    let t_raw = in.tangent.xyz - n * dot(n, in.tangent.xyz);
    let t_fallback = normalize(cross(n, select(vec3<f32>(0.0, 1.0, 0.0), vec3<f32>(1.0, 0.0, 0.0), abs(n.y) > 0.9)));
    let t = select(t_fallback, t_raw / max(length(t_raw), 1e-8), length(t_raw) > 1e-6);
    let b = cross(n, t) * select(1.0, -1.0, in.tangent.w < 0.0);
    if (slot_present(2u)) {
        let tn = (normal_tex.xyz * 2.0 - 1.0) * vec3<f32>(material.surface.z, material.surface.z, 1.0);
        n = normalize(t * tn.x + b * tn.y + n * tn.z);
    }
    let v = normalize(frame.eye_world.xyz - in.world_m);
    let n_dot_v = clamp(dot(n, v), 1e-4, 1.0);
    var r = reflect(-v, n);
    let anisotropy = material.layers.z;
    if (anisotropy > 0.0) {
        // Brushed (Filament's bent normal, as Khronos' sample viewer uses it): KHR's direction
        // is where roughness is higher, across the strokes. Bending the normal towards the plane
        // that holds that direction and the view draws a small light out along it.
        let stretch = t * cos(material.layers.w) + b * sin(material.layers.w);
        let strokes = cross(n_geometric, stretch);
        let across = cross(cross(strokes, v), strokes);
        let bend = 1.0 - anisotropy * (1.0 - roughness);
        let bend4 = bend * bend * bend * bend;
        r = reflect(-v, normalize(mix(across, n, bend4) + n * 1e-4));
    }

    let ior = material.optics.y;
    let specular_weight = material.specular.w;
    let f0_dielectric = min(vec3<f32>(pow((ior - 1.0) / (ior + 1.0), 2.0)) * material.specular.rgb, vec3<f32>(1.0)) * specular_weight;
    let f0 = mix(f0_dielectric, base.rgb, metallic);
    let f90 = mix(vec3<f32>(specular_weight), vec3<f32>(1.0), metallic);
    let ab = env_brdf(roughness, n_dot_v);
    let fss_ess = f0 * ab.x + f90 * ab.y;
    let ess = ab.x + ab.y;
    let ems = 1.0 - ess;
    let f_avg = f0 + (f90 - f0) / 21.0;
    let fms_ems = fss_ess * f_avg / (1.0 - ems * f_avg) * ems;

    let e = irradiance(n);
    let prefiltered = scene_radiance(r, roughness * frame.params.y);
    let specular = fss_ess * prefiltered + fms_ems * e / PI;

    let diffuse_color = base.rgb * (1.0 - metallic);
    let k_d = diffuse_color * (1.0 - fss_ess - fms_ems);
    let transmission = material.optics.x * (1.0 - metallic);
    // A transmissive stone: what lies behind it, seen through one refraction.
    let t_dir = refract(-v, n, 1.0 / max(ior, 1.0));
    let transmitted = scene_radiance(t_dir, roughness * frame.params.y) * base.rgb * (1.0 - fss_ess);
    let diffuse = k_d * e / PI;

    let ao = 1.0 + material.surface.w * (occlusion_tex.r - 1.0);
    var color = mix(diffuse, transmitted, transmission) * ao + specular * ao;
    color += material.emissive.rgb * srgb_to_linear(emissive_tex.rgb);
    let clearcoat = material.layers.x;
    if (clearcoat > 0.0) {
        // The lacquer follows the geometry: without clearcoatNormalTexture the spec gives it no
        // normal map.
        let coat_roughness = clamp(material.layers.y, 0.02, 1.0);
        let coat_n_dot_v = clamp(dot(n_geometric, v), 1e-4, 1.0);
        let coat_ab = env_brdf(coat_roughness, coat_n_dot_v);
        let coat_f0 = 0.04;
        let coat_light = scene_radiance(reflect(-v, n_geometric), coat_roughness * frame.params.y);
        let coat_specular = (coat_f0 * coat_ab.x + coat_ab.y) * coat_light;
        let coat_fresnel = coat_f0 + (1.0 - coat_f0) * pow(1.0 - coat_n_dot_v, 5.0);
        color = color * (1.0 - clearcoat * coat_fresnel) + clearcoat * coat_specular * ao;
    }

    var alpha = 1.0;
    if (alpha_mode == 2.0) {
        alpha = base.a;
    }
    // Premultiplied output: the canvas and PNG writer expect it.
    return vec4<f32>(display_encode(color) * alpha, alpha);
}
