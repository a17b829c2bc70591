//! The native `loupe` command: render stills, regenerate bundled assets, benchmark.

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match loupe::cli::run(&argv) {
        Ok(msg) => println!("{msg}"),
        Err(e) => {
            eprintln!("loupe: {e}");
            std::process::exit(2);
        }
    }
}
