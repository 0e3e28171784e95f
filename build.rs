//! Links the `passim` binary as a position-dependent executable on Linux.
//!
//! A position-independent one has about 36,000 pointers in its read-only
//! data that the dynamic loader must rewrite at every start, and writing
//! them copies some 190 pages per process: measured here, 1.7 → 1.1 ms of
//! CPU time for `passim --version` and about 0.7-1 ms off every one-shot
//! `passim search`, which is what a script calling passim in a loop pays.
//! The cost is address randomisation of the binary's own code (libraries,
//! stack and heap stay randomised). Set `PASSIM_PIE=1` when building to
//! keep a position-independent executable.

fn main() {
    println!("cargo::rerun-if-env-changed=PASSIM_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if linux && std::env::var_os("PASSIM_PIE").is_none() {
        println!("cargo::rustc-link-arg-bins=-no-pie");
    }
}
