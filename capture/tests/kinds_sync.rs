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
