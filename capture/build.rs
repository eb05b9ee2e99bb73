//! Compiles the eBPF programs in capture-ebpf/ with clang into OUT_DIR.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../capture-ebpf");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for f in [
        "src/shrike.bpf.c",
        "include/shrike_kernel.h",
        "include/record.h",
        "include/kinds.h",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(f).display());
    }
    println!("cargo:rerun-if-env-changed=SHRIKE_CLANG");
    let clang = std::env::var("SHRIKE_CLANG").ok().unwrap_or_else(|| {
        ["clang-19", "clang"]
            .into_iter()
            .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
            .unwrap_or_else(|| panic!("clang not found: run scripts/setup (installs clang-19 and libbpf-dev), or set SHRIKE_CLANG"))
            .to_string()
    });
    let multiarch = format!("/usr/include/{}-linux-gnu", std::env::consts::ARCH);
    // One source, two objects: with bpf_loop (5.17+) and with an unrolled
    // path walk for older kernels (capture/src/probe.rs picks one). The
    // first also claims its scratch buffers atomically: newer kernels run
    // syscall tracepoint programs preemptibly (see `begin` in shrike.bpf.c).
    for (name, defines) in [
        // v3: the atomic compare-and-swap that claims a scratch slot (5.12+).
        ("shrike.bpf.o", &["-DSHRIKE_BPF_LOOP", "-mcpu=v3"][..]),
        ("shrike_unrolled.bpf.o", &[][..]),
    ] {
        let out = out_dir.join(name);
        let status = Command::new(&clang)
            .args([
                "-target",
                "bpf",
                "-g",
                "-O2",
                "-D__TARGET_ARCH_x86",
                "-Wall",
                "-Werror",
            ])
            .args(defines)
            .arg(format!("-I{}", root.join("include").display()))
            .arg(format!("-I{multiarch}"))
            .arg("-c")
            .arg(root.join("src/shrike.bpf.c"))
            .arg("-o")
            .arg(&out)
            .status()
            .unwrap_or_else(|e| panic!("running {clang}: {e}"));
        assert!(
            status.success(),
            "{clang} failed to compile capture-ebpf/src/shrike.bpf.c into {name} (missing libbpf-dev? run scripts/setup)"
        );
    }
}
