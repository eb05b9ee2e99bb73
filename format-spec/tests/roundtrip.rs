//! Events written and read back are identical: every kind, edge values, and
//! a large realistic stream cut into many chunks.

mod common;

use common::streams;
use proptest::prelude::*;
use shrike_format::{
    Body, Capture, Event, FieldSource, Kind, OwnedEvent, SockAddr, Writer, WriterOptions,
};

/// Field values drawn from a proptest-generated pool, so failures shrink.
struct Pool {
    ints: Vec<i64>,
    strs: Vec<Vec<u8>>,
    i: usize,
}

impl Pool {
    fn next_int(&mut self) -> i64 {
        self.i += 1;
        self.ints[self.i % self.ints.len()]
    }
}

impl FieldSource for Pool {
    fn int(&mut self) -> i64 {
        self.next_int()
    }
    fn uint(&mut self) -> u64 {
        self.next_int() as u64
    }
    fn str(&mut self) -> Vec<u8> {
        let n = self.next_int() as usize;
        self.strs[n % self.strs.len()].clone()
    }
    fn strs(&mut self) -> Vec<Vec<u8>> {
        let n = (self.next_int() as u64 % 5) as usize;
        (0..n).map(|_| self.str()).collect()
    }
    fn addr(&mut self) -> SockAddr<Vec<u8>> {
        let v = self.next_int();
        let port = v as u16;
        match v.rem_euclid(5) {
            0 => SockAddr::None,
            1 => SockAddr::V4 {
                ip: (v as u32).to_be_bytes(),
                port,
            },
            2 => SockAddr::V6 {
                ip: (v as u128)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .to_be_bytes(),
                port,
            },
            3 => SockAddr::Unix(self.str()),
            _ => SockAddr::Other(port),
        }
    }
}

fn write_read(events: &[OwnedEvent], opts: WriterOptions) -> Vec<OwnedEvent> {
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(1), opts).unwrap();
    for e in events {
        w.append(e).unwrap();
    }
    let (bytes, summary) = w.finish().unwrap();
    assert_eq!(summary.events, events.len() as u64);
    let cap = Capture::from_bytes(bytes).unwrap();
    assert!(cap.damage().is_empty(), "{:?}", cap.damage());
    cap.read_all().unwrap()
}

fn small_chunks() -> WriterOptions {
    WriterOptions {
        chunk_events: 7,
        index_every: 3,
        ..WriterOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_kind_round_trips(
        ints in prop::collection::vec(any::<i64>(), 1..40),
        strs in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 1..8),
        common in prop::collection::vec((any::<u64>(), any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>(), any::<u64>()), 1..8),
        zstd in any::<bool>(),
    ) {
        let mut pool = Pool { ints, strs, i: 0 };
        let mut events = Vec::new();
        for (n, kind) in Kind::ALL.iter().enumerate() {
            let (ts, pid, tid, uid, gid, cgroup) = common[n % common.len()];
            let body = Body::fill(*kind, &mut pool);
            let comm = pool.str();
            events.push(Event { ts, cpu: n as u32, pid, tid, comm, uid, gid, euid: uid ^ 1, egid: gid ^ 1, cgroup, body });
        }
        let opts = WriterOptions { zstd_level: zstd.then_some(3), ..small_chunks() };
        prop_assert_eq!(streams(&write_read(&events, opts)), streams(&events));
    }
}

#[test]
fn extreme_values_round_trip() {
    let ev = Event {
        ts: u64::MAX,
        cpu: u32::MAX,
        pid: 0,
        tid: u32::MAX,
        comm: vec![0xff, 0, b'\n'],
        uid: u32::MAX,
        gid: 0,
        euid: u32::MAX,
        egid: u32::MAX,
        cgroup: u64::MAX,
        body: Body::Connect {
            res: i64::MIN,
            fd: i64::MAX,
            proto: u64::MAX,
            laddr: SockAddr::V6 {
                ip: [0xff; 16],
                port: u16::MAX,
            },
            raddr: SockAddr::Unix(b"\0abstract".to_vec()),
        },
    };
    let mut second = ev.clone();
    second.ts = 0;
    second.pid = u32::MAX;
    second.tid = 0;
    let events = vec![ev, second];
    assert_eq!(write_read(&events, WriterOptions::default()), events);
}

#[test]
fn realistic_stream_round_trips_across_many_chunks() {
    let events: Vec<OwnedEvent> = shrike_synth::Generator::new(7, 50_000).collect();
    let kinds: std::collections::HashSet<u16> = events.iter().map(|e| e.kind_id()).collect();
    assert_eq!(
        kinds.len(),
        Kind::ALL
            .iter()
            // (exe_file only when asked: record --keep-binaries)
            .filter(|k| !matches!(k, Kind::Lost | Kind::RecorderStop | Kind::ExeFile))
            .count(),
        "the generator covers every kind a running recording produces"
    );
    let opts = WriterOptions {
        chunk_events: 4096,
        index_every: 4,
        ..WriterOptions::default()
    };
    assert_eq!(streams(&write_read(&events, opts)), streams(&events));
}

#[test]
fn lost_counts_reach_the_chunks_and_footer() {
    let mut w = Writer::new(
        Vec::new(),
        &shrike_synth::header(2),
        WriterOptions::default(),
    )
    .unwrap();
    let evs: Vec<OwnedEvent> = shrike_synth::Generator::new(2, 10).collect();
    w.append(&evs[0]).unwrap();
    w.add_lost(5);
    w.flush().unwrap();
    w.add_lost(7);
    let (bytes, s) = w.finish().unwrap();
    assert_eq!(s.lost, 12);
    let cap = Capture::from_bytes(bytes).unwrap();
    assert_eq!(cap.lost_count(), 12);
    assert_eq!(cap.footer().unwrap().total_lost, 12);
    assert_eq!(
        cap.chunks().len(),
        2,
        "a chunk with no events still carries its lost count"
    );
}

#[test]
fn events_of_selects_kinds_and_keeps_positions() {
    let events: Vec<OwnedEvent> = shrike_synth::Generator::new(8, 5_000).collect();
    let opts = WriterOptions {
        chunk_events: 700,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::new(), &shrike_synth::header(8), opts).unwrap();
    events.iter().for_each(|e| w.append(e).unwrap());
    let cap = Capture::from_bytes(w.finish().unwrap().0).unwrap();
    // Positions count in file order, where the process kinds sit apart.
    let in_file = cap.read_all().unwrap();
    assert_eq!(streams(&in_file), streams(&events));
    let events = in_file;
    let want = (1u128 << Kind::Execve.id()) | (1u128 << Kind::Connect.id());
    let mut buf = Vec::new();
    let mut got = Vec::new();
    let mut base = 0usize;
    for i in 0..cap.chunks().len() {
        let p = cap.payload_in(i, &mut buf).unwrap();
        let mut it = p.events_of(want).unwrap();
        while let Some(e) = it.next() {
            let e = e.unwrap().to_owned_event();
            let at = base + it.consumed() as usize - 1;
            assert_eq!(events[at], e, "position {at}");
            got.push(e);
        }
        base += cap.chunks()[i].header.stats.events as usize;
    }
    let expected: Vec<OwnedEvent> = events
        .iter()
        .filter(|e| want & (1u128 << e.kind_id()) != 0)
        .cloned()
        .collect();
    assert!(expected.len() > 100);
    assert_eq!(got, expected);
}
