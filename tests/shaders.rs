//! Every WGSL pass (common.wgsl prepended) parses and validates with naga, and also translates to
//! GLSL ES 3.00 the way wgpu does for WebGL2, so a WebGL-only shader failure shows up natively.
#![cfg(not(target_arch = "wasm32"))]

use loupe::render::shaders;
use naga::back::glsl;
use naga::valid::{Capabilities, ValidationFlags, Validator};

fn validate(name: &str, src: &str) -> (naga::Module, naga::valid::ModuleInfo) {
    let module = naga::front::wgsl::parse_str(src)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
    let info = Validator::new(ValidationFlags::all(), Capabilities::empty())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(src)));
    (module, info)
}

#[test]
fn every_pass_parses_and_validates() {
    for (name, src) in shaders::passes() {
        validate(name, &src);
    }
}

#[test]
fn every_entry_point_translates_to_webgl2_glsl() {
    for (name, src) in shaders::passes() {
        let (module, info) = validate(name, &src);
        for ep in &module.entry_points {
            let options = glsl::Options {
                version: glsl::Version::Embedded {
                    version: 300,
                    is_webgl: true,
                },
                ..Default::default()
            };
            let pipeline = glsl::PipelineOptions {
                shader_stage: ep.stage,
                entry_point: ep.name.clone(),
                multiview: None,
            };
            let mut out = String::new();
            let mut writer = glsl::Writer::new(
                &mut out,
                &module,
                &info,
                &options,
                &pipeline,
                naga::proc::BoundsCheckPolicies::default(),
            )
            .unwrap_or_else(|e| panic!("{name}/{}: {e}", ep.name));
            writer
                .write()
                .unwrap_or_else(|e| panic!("{name}/{}: {e}", ep.name));
            assert!(out.starts_with("#version 300 es"), "{name}/{}", ep.name);
        }
    }
}

#[test]
fn every_wgsl_file_belongs_to_a_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let passes = shaders::passes();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("wgsl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            passes.iter().any(|(_, src)| src.contains(text.trim())),
            "{} is not used by any pass",
            path.display()
        );
    }
}
