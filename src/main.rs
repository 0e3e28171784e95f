use clap::Parser;

fn main() {
    let cli = passim::cli::Cli::parse();
    std::process::exit(passim::cmd::run(cli));
}
