//! shrike is one static binary (.cargo/config.toml, scripts/rustc-static): it
//! must start on hosts with an older C library than the build machine's, and
//! with none at all.

use std::process::Command;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_shrike");

/// The program header types of an ELF64 little-endian file.
fn program_headers(elf: &[u8]) -> Vec<u32> {
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(elf[4], 2, "not ELF64");
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count)
        .map(|i| {
            let at = phoff + i * size;
            u32::from_le_bytes(elf[at..at + 4].try_into().unwrap())
        })
        .collect()
}

#[test]
fn the_binary_asks_for_no_dynamic_loader() {
    const PT_INTERP: u32 = 3;
    let elf = std::fs::read(BIN).unwrap();
    let headers = program_headers(&elf);
    assert!(headers.len() > 2, "{headers:?}");
    assert!(
        !headers.contains(&PT_INTERP),
        "{BIN} names a dynamic loader: it needs shared libraries"
    );
    // The same word from ldd, where there is one.
    if let Ok(o) = Command::new("ldd").arg(BIN).output() {
        let text = String::from_utf8_lossy(&o.stdout) + String::from_utf8_lossy(&o.stderr);
        assert!(
            text.contains("statically linked") || text.contains("not a dynamic executable"),
            "ldd {BIN}: {text}"
        );
    }
}

#[test]
fn the_binary_works_in_an_empty_root() {
    // SAFETY: a plain getter.
    if unsafe { libc::geteuid() } != 0 {
        common::cannot_run("chroot needs root");
        return;
    }
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(BIN, root.path().join("shrike")).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new("chroot")
            .arg(root.path())
            .arg("/shrike")
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "shrike {args:?} in an empty root: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // generate draws a file id from the kernel's random source: no /dev/urandom here.
    run(&["generate", "-o", "/demo.shrk", "--events", "2000"]);
    let info = run(&["info", "/demo.shrk"]);
    assert!(info.contains("events     2000 in"), "{info}");
    let alerts = run(&["scan", "/demo.shrk"]);
    assert!(!alerts.is_empty());
}
