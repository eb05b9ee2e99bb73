//! The kernel→user record layout is written twice, in C for the eBPF side
//! (capture-ebpf/include/record.h) and in Rust for the reader
//! (`shrike_capture::record::layout`): this compiles the header with the
//! host's C compiler and checks every offset, size, tag and flag.

use std::path::Path;
use std::process::Command;

use shrike_capture::record::layout::ALL;

#[test]
fn the_rust_record_layout_is_the_c_one() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("../capture-ebpf/include");
    let dir = tempfile::tempdir().unwrap();
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <linux/types.h>\n#include \"record.h\"\nint main(void) {\n",
    );
    for (expr, _) in ALL {
        c.push_str(&format!("\tprintf(\"%zu\\n\", (size_t)({expr}));\n"));
    }
    c.push_str("\treturn 0;\n}\n");
    let src = dir.path().join("layout.c");
    let exe = dir.path().join("layout");
    std::fs::write(&src, c).unwrap();
    let o = Command::new("cc")
        .arg("-I")
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&src)
        .output()
        .expect("a C compiler (cc)");
    assert!(
        o.status.success(),
        "compiling record.h: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    let c_values: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(c_values.len(), ALL.len());
    for ((expr, rust), c) in ALL.iter().zip(&c_values) {
        assert_eq!(rust, c, "{expr}: {c} in record.h, {rust} in record.rs");
    }
}
