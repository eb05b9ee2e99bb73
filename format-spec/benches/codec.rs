//! Encode and decode throughput and size, shrike format vs. a baseline of the
//! same events as JSON Lines compressed with zstd at the same level, measured
//! in the same run. `cargo bench -p shrike-format --bench codec`.

use std::hint::black_box;
use std::io::{BufRead, Write};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shrike_format::{Capture, OwnedEvent, Writer, WriterOptions};

const EVENTS: u64 = 1_000_000;
const LEVEL: i32 = 3;

fn shrike_encode(events: &[OwnedEvent]) -> Vec<u8> {
    let opts = WriterOptions {
        zstd_level: Some(LEVEL),
        sync: false,
        ..WriterOptions::default()
    };
    let mut w = Writer::new(Vec::with_capacity(16 << 20), &shrike_synth::header(1), opts).unwrap();
    for e in events {
        w.append(e).unwrap();
    }
    w.finish().unwrap().0
}

fn shrike_decode(cap: &Capture) -> u64 {
    let mut n = 0u64;
    for i in 0..cap.chunks().len() {
        let p = cap.payload(i).unwrap();
        for e in p.events().unwrap() {
            n += u64::from(black_box(e.unwrap()).pid > 0);
        }
    }
    n
}

fn jsonl_encode(events: &[OwnedEvent]) -> Vec<u8> {
    let mut z = zstd::stream::Encoder::new(Vec::with_capacity(32 << 20), LEVEL).unwrap();
    for e in events {
        serde_json::to_writer(&mut z, &e.to_json()).unwrap();
        z.write_all(b"\n").unwrap();
    }
    z.finish().unwrap()
}

fn jsonl_decode(bytes: &[u8]) -> u64 {
    let r = std::io::BufReader::new(zstd::stream::Decoder::new(bytes).unwrap());
    let mut n = 0u64;
    for line in r.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        n += u64::from(black_box(&v)["pid"].as_u64().unwrap_or(0) > 0);
    }
    n
}

fn codec(c: &mut Criterion) {
    let events: Vec<OwnedEvent> = shrike_synth::Generator::new(1, EVENTS).collect();
    let shrike = shrike_encode(&events);
    let jsonl = jsonl_encode(&events);
    let cap = Capture::from_bytes(shrike.clone()).unwrap();
    eprintln!(
        "size for {EVENTS} events of the synthetic mix: shrike {} bytes ({:.2} B/event), JSON Lines + zstd -{LEVEL} {} bytes ({:.2} B/event); shrike is {:.1}x smaller",
        shrike.len(),
        shrike.len() as f64 / EVENTS as f64,
        jsonl.len(),
        jsonl.len() as f64 / EVENTS as f64,
        jsonl.len() as f64 / shrike.len() as f64
    );

    let mut g = c.benchmark_group("encode");
    g.sample_size(10).throughput(Throughput::Elements(EVENTS));
    g.bench_function("shrike", |b| b.iter(|| shrike_encode(black_box(&events))));
    g.bench_function("jsonl_zstd_baseline", |b| {
        b.iter(|| jsonl_encode(black_box(&events)))
    });
    g.finish();

    let mut g = c.benchmark_group("decode");
    g.sample_size(10).throughput(Throughput::Elements(EVENTS));
    g.bench_function("shrike", |b| {
        b.iter(|| assert_eq!(shrike_decode(&cap), EVENTS))
    });
    g.bench_function("jsonl_zstd_baseline", |b| {
        b.iter(|| assert!(jsonl_decode(&jsonl) > 0))
    });
    g.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
