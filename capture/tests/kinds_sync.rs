//! The kernel side names kinds by number (capture-ebpf/include/kinds.h): each
//! must be the format's id for that kind.

use shrike_format::Kind;

#[test]
fn c_kind_ids_match_the_format() {
    let h = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../capture-ebpf/include/kinds.h"
    ))
    .unwrap();
    let mut n = 0;
    for line in h.lines().filter_map(|l| l.strip_prefix("#define K_")) {
        let (name, id) = line.split_once(' ').unwrap();
        let id: u16 = id.trim().parse().unwrap();
        let kind = Kind::from_name(&name.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("K_{name} is no format kind"));
        assert_eq!(kind.id(), id, "K_{name}");
        n += 1;
    }
    assert!(n >= 60, "only {n} kinds in kinds.h");
}

/// The opcodes whose bytes the kernel side counts (`ur_direction` in
/// shrike.bpf.c) are those the views say moved bytes, each the same way.
#[test]
fn c_uring_directions_match_the_format() {
    let c = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../capture-ebpf/src/shrike.bpf.c"
    ))
    .unwrap();
    let body = c
        .split_once("ur_direction(u8 op)")
        .and_then(|(_, rest)| rest.split_once("return 0;"))
        .expect("ur_direction in shrike.bpf.c")
        .0;
    let mut got = Vec::new();
    let mut cases = Vec::new();
    for line in body.lines() {
        let code = line.split("/*").next().unwrap();
        for case in code.split("case ").skip(1) {
            cases.push(
                case.split(':')
                    .next()
                    .unwrap()
                    .trim()
                    .parse::<u64>()
                    .unwrap(),
            );
        }
        if code.contains("return MOVED_IN;") || code.contains("return MOVED_OUT;") {
            let out = code.contains("MOVED_OUT");
            got.extend(cases.drain(..).map(|op| (op, out)));
        }
    }
    got.sort_unstable();
    let mut want = shrike_format::linux::URING_OP_MOVES.to_vec();
    want.sort_unstable();
    assert_eq!(got, want);
}
