//! The native `loupe` command: render stills, regenerate bundled assets, benchmark.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match loupe::cli::run(&argv) {
        Ok(out) => {
            println!("{}", out.stdout);
            std::process::exit(out.exit_code);
        }
        Err(e) => {
            eprintln!("loupe: {e}");
            std::process::exit(2);
        }
    }
}

// Cargo builds every binary for the wasm32 test target too; the command itself is native only.
#[cfg(target_arch = "wasm32")]
fn main() {}
