//! Recording on the real kernel (root): a workload of known actions, processes
//! alive before recording, a killed recorder, rotation, and lost events.
//! Every recording follows its own process tree, so tests can run at once.
//! Outside CI these skip (with a message) when eBPF is not usable; with
//! CI=true they fail instead.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{ebpf_usable, events, s};

use shrike_format::{Body, Capture, Damage, OwnedEvent};

const BIN: &str = env!("CARGO_BIN_EXE_shrike");

fn record(file: &Path, extra: &[&str], command: &[&str]) -> Output {
    record_env(file, extra, command, &[])
}

fn record_env(file: &Path, extra: &[&str], command: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["record", "-o", file.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push("--");
    args.extend_from_slice(command);
    let o = Command::new(BIN)
        .args(&args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "shrike record failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The lines `shrike replay --filter CONDITION` prints for `file`, which must succeed.
fn replay(file: &Path, condition: &str) -> String {
    let o = Command::new(BIN)
        .args(["replay", "--filter", condition, file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The text `shrike timeline FILE EXTRA...` prints, which must succeed.
fn timeline_text(file: &Path, extra: &[&str]) -> String {
    let o = Command::new(BIN)
        .arg("timeline")
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs shrike with `args`, which must succeed, and parses each line it prints as JSON.
fn json_lines(args: &[&str]) -> Vec<serde_json::Value> {
    let o = Command::new(BIN).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "shrike {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `shrike export FILE --FORMAT OUT [--rules rules]` (FORMAT sqlite or
/// parquet), run from the repository, which must succeed; its stderr.
fn export(file: &Path, format: &str, out: &Path, rules: bool) -> String {
    let mut args = vec![
        "export",
        file.to_str().unwrap(),
        format,
        out.to_str().unwrap(),
    ];
    if rules {
        args.extend(["--rules", "rules"]);
    }
    let o = Command::new(BIN)
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Where scripts/setup installs the Python with DuckDB and PySpark.
fn fleet_venv_python() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fleet-venv/bin/python")
}

/// That Python, if scripts/setup installed it.
fn fleet_python() -> Option<PathBuf> {
    let p = fleet_venv_python();
    if p.exists() {
        Some(p)
    } else {
        common::cannot_run("no DuckDB (scripts/setup installs it into target/fleet-venv)");
        None
    }
}

/// A recording of testdata/workloads/known_actions.c: the directory (kept alive),
/// the capture, the workload's work directory, and the facts it reported.
struct Known {
    dir: tempfile::TempDir,
    file: PathBuf,
    work: PathBuf,
    facts: serde_json::Value,
    stderr: String,
}

impl Drop for Known {
    /// The workload leaves a child waiting on an io_uring read (for the
    /// request pending at the stop): it goes with the recording.
    fn drop(&mut self) {
        if let Some(pid) = self.facts["uring_waiter"].as_i64() {
            // SAFETY: a plain syscall on a pid the workload reported.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        }
    }
}

fn record_known_actions() -> Known {
    record_known_actions_with(&[])
}

fn record_known_actions_with(env: &[(&str, &str)]) -> Known {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("known.shrk");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let facts_path = dir.path().join("facts.json");
    let workload = common::known_actions_binary();
    let o = record_env(
        &file,
        &["--follow"],
        &[
            workload.to_str().unwrap(),
            facts_path.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
        env,
    );
    let facts = serde_json::from_slice(&std::fs::read(&facts_path).unwrap()).unwrap();
    Known {
        dir,
        file,
        work,
        facts,
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn known_actions_are_recorded_with_their_fields() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    assert!(
        k.stderr.contains("recorded") && k.stderr.contains("lost"),
        "{}",
        k.stderr
    );
    common::check_known_actions(&k.file, &k.facts);
}

/// The same with the programs older kernels get (no bpf_loop, no
/// bpf_task_pt_regs, no group_dead in sched_process_exit), on this kernel:
/// the kernel matrix (tests/kernels.rs) runs them where they are needed.
#[test]
fn known_actions_are_recorded_by_the_programs_for_older_kernels() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions_with(&[(
        "SHRIKE_KERNEL_OVERRIDE",
        "bpf_loop=0,task_pt_regs=0,exit_group_dead=0",
    )]);
    assert!(
        k.stderr.contains("no bpf_loop helper") && k.stderr.contains("16 directories"),
        "{}",
        k.stderr
    );
    common::check_known_actions(&k.file, &k.facts);
    let info = Command::new(BIN).arg("info").arg(&k.file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("  limit ") && l.contains("no bpf_loop helper")),
        "{info}"
    );
}

#[test]
fn processes_alive_before_recording_appear_in_the_snapshot() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut sleeper = Command::new("/bin/sleep")
        .arg("37.25")
        .env("SHRIKE_SNAPSHOT_ENV", "seen")
        .process_group(0)
        .spawn()
        .unwrap();
    let file = dir.path().join("snap.shrk");
    // The whole host (no --follow), only while /bin/true runs.
    record(&file, &["--events", "process"], &["/bin/true"]);
    sleeper.kill().ok();
    sleeper.wait().ok();
    let evs = events(&file);
    let snap = evs
        .iter()
        .find(|e| e.pid == sleeper.id())
        .expect("the sleeper is in the snapshot");
    let Body::ProcSnapshot {
        argv,
        exe,
        ppid,
        start_ts,
        env,
        pgid,
        ..
    } = &snap.body
    else {
        panic!("{snap:?}")
    };
    assert!(
        env.iter().any(|v| s(v) == "SHRIKE_SNAPSHOT_ENV=seen"),
        "{env:?}"
    );
    assert_eq!(*pgid, u64::from(sleeper.id()));
    assert_eq!(
        argv.iter().map(|a| s(a)).collect::<Vec<_>>(),
        ["/bin/sleep", "37.25"]
    );
    assert!(s(exe).ends_with("sleep"));
    assert_eq!(*ppid, u64::from(std::process::id()));
    assert!(*start_ts > 0 && *start_ts <= snap.ts);
    assert_eq!(s(&snap.comm), "sleep");
}

#[test]
fn a_followed_recording_snapshots_the_command_and_its_ancestors_only() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A sibling of the recorder: alive, on the same host, not followed.
    let mut sleeper = Command::new("/bin/sleep").arg("37.5").spawn().unwrap();
    let file = dir.path().join("follow.shrk");
    record(&file, &["--follow"], &["/bin/true"]);
    sleeper.kill().ok();
    sleeper.wait().ok();
    let evs = events(&file);
    let recorder = evs
        .iter()
        .find(|e| matches!(e.body, Body::RecorderStart { .. }))
        .unwrap()
        .pid;
    let snap: Vec<(u32, u64)> = evs
        .iter()
        .filter_map(|e| match e.body {
            Body::ProcSnapshot { ppid, .. } => Some((e.pid, ppid)),
            _ => None,
        })
        .collect();
    let pids: Vec<u32> = snap.iter().map(|s| s.0).collect();
    assert!(
        !pids.contains(&sleeper.id()),
        "an unrelated process: {snap:?}"
    );
    // Where the command was started from: the recorder, this test, and so up to pid 1.
    assert!(
        pids.contains(&recorder) && pids.contains(&std::process::id()),
        "{snap:?}"
    );
    assert!(pids.contains(&1), "{snap:?}");
    // Each is the parent of another, but for pid 1 and the command itself (the recorder's child).
    for (pid, ppid) in &snap {
        let parent_of_another = snap.iter().any(|(_, pp)| *pp == u64::from(*pid));
        let child_of_recorder = *ppid == u64::from(recorder);
        assert!(
            parent_of_another || child_of_recorder,
            "{pid} is neither an ancestor nor the command: {snap:?}"
        );
    }
    assert!(snap.len() < 40, "{} processes in the snapshot", snap.len());
}

/// CLOCK_BOOTTIME now, the clock of event timestamps.
fn boottime() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Opens marker-N files every 20 ms in `dir`, forever.
fn marker_loop(dir: &Path) -> String {
    format!(
        "i=0; while :; do : > {}/marker-$i; i=$((i+1)); sleep 0.02; done",
        dir.display()
    )
}

fn markers(evs: &[OwnedEvent]) -> Vec<(u64, u64)> {
    evs.iter()
        .filter_map(|e| match &e.body {
            Body::Openat { path, .. } | Body::Open { path, .. } | Body::Creat { path, .. } => {
                let name = s(path).rsplit('/').next()?;
                Some((name.strip_prefix("marker-")?.parse().ok()?, e.ts))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_killed_recorder_leaves_every_event_older_than_the_flush_interval() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("killed.shrk");
    let script = marker_loop(dir.path());
    let mut rec = Command::new(BIN)
        .args([
            "record",
            "-o",
            file.to_str().unwrap(),
            "--follow",
            "--flush-interval",
            "500ms",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Loading the programs takes a second or more (longer on a busy machine):
    // the markers count from when the file is there.
    let start = Instant::now();
    while !file.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(2500));
    let killed_at = boottime();
    rec.kill().unwrap(); // SIGKILL
    rec.wait().unwrap();
    // The workload outlives the recorder: stop it.
    Command::new("pkill")
        .args(["-f", &format!("{}/marker-", dir.path().display())])
        .status()
        .ok();
    let cap = Capture::open(&file).unwrap();
    assert!(
        matches!(cap.damage().as_slice(), [Damage::NoFooter { .. }]),
        "{:?}",
        cap.damage()
    );
    let m = markers(&cap.read_all().unwrap());
    assert!(m.len() >= 20, "only {} markers recorded", m.len());
    // Markers are numbered in order; every one before (kill - flush interval - a margin for the loop's poll) is there.
    let deadline = killed_at - 500_000_000 - 200_000_000;
    let last_old = m
        .iter()
        .filter(|(_, ts)| *ts < deadline)
        .map(|(n, _)| *n)
        .max()
        .expect("old markers");
    let got: std::collections::BTreeSet<u64> = m.iter().map(|(n, _)| *n).collect();
    for n in 0..=last_old {
        assert!(
            got.contains(&n),
            "marker-{n} (older than the flush interval) is missing"
        );
    }
}

#[test]
fn rotation_writes_complete_files_and_loses_nothing_between_them() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rot.shrk");
    // How much a file holds depends on how fast the shell runs against the
    // flush interval, so the workload goes on until the third file exists
    // (bounded), and says how many markers it made.
    let script = format!(
        "cd {}; i=0; while [ $i -lt 8000 ] || {{ [ ! -e rot.2.shrk ] && [ $i -lt 400000 ]; }}; \
         do : > marker-$i; i=$((i+1)); done; echo $i > made",
        dir.path().display()
    );
    // Sealed: every segment takes its own epoch from the key file.
    let key = dir.path().join("resp");
    assert!(
        Command::new(BIN)
            .args(["keygen", key.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let (secret, public) = (key.with_extension("key"), key.with_extension("pub"));
    record(
        &file,
        &[
            "--follow",
            "--max-size",
            "16K",
            "--flush-interval",
            "100ms",
            "--seal-key",
            secret.to_str().unwrap(),
        ],
        &["sh", "-c", &script],
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "shrk"))
        .collect();
    files.sort_by_key(|p| {
        Capture::open(p)
            .unwrap()
            .header()
            .segment
            .as_ref()
            .unwrap()
            .index
    });
    // Three at least: a set without its last segment is then still a set,
    // which verify can tell is cut short.
    assert!(
        files.len() >= 3,
        "expected the recording to rotate twice, got {files:?}"
    );
    let mut all = Vec::new();
    let mut prev_id = [0u8; 16];
    for (i, f) in files.iter().enumerate() {
        let o = Command::new(BIN)
            .args(["verify", f.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&o.stdout)
        );
        let cap = Capture::open(f).unwrap();
        let seg = cap.header().segment.clone().unwrap();
        assert_eq!(
            (seg.index, seg.previous),
            (i as u32, prev_id),
            "segments chain"
        );
        prev_id = cap.header().file_id;
        let evs = cap.read_all().unwrap();
        assert!(
            evs.iter()
                .any(|e| matches!(e.body, Body::ProcSnapshot { .. })),
            "each file carries its own snapshot"
        );
        all.extend(markers(&evs).into_iter().map(|(n, _)| n));
    }
    all.sort_unstable();
    let made: u64 = std::fs::read_to_string(dir.path().join("made"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        all,
        (0..made).collect::<Vec<u64>>(),
        "every marker exactly once across the files"
    );
    // The set verifies as one recording, sealed to its end; without its last
    // segment, verify names it.
    let verify_set = |set: &[PathBuf]| {
        let mut args = vec!["verify", "--key", public.to_str().unwrap()];
        args.extend(set.iter().map(|f| f.to_str().unwrap()));
        let o = Command::new(BIN).args(&args).output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (code, out) = verify_set(&files);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("segments: OK"), "{out}");
    let (code, out) = verify_set(&files[..files.len() - 1]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("segment {} is missing", files.len() - 1)),
        "{out}"
    );

    // A ring of N files keeps the newest N.
    let ring = dir.path().join("ring");
    std::fs::create_dir(&ring).unwrap();
    let file = ring.join("r.shrk");
    let script = format!(
        "cd {}; i=0; while [ ! -e r.3.shrk ] && [ $i -lt 400000 ]; do : > marker-$i; i=$((i+1)); done",
        ring.display()
    );
    let o = record(
        &file,
        &[
            "--follow",
            "--max-size",
            "8K",
            "--max-files",
            "2",
            "--flush-interval",
            "100ms",
        ],
        &["sh", "-c", &script],
    );
    let kept: Vec<PathBuf> = std::fs::read_dir(&ring)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "shrk"))
        .collect();
    assert_eq!(
        kept.len(),
        2,
        "{kept:?} {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let newest = kept
        .iter()
        .map(|p| {
            Capture::open(p)
                .unwrap()
                .header()
                .segment
                .as_ref()
                .unwrap()
                .index
        })
        .max()
        .unwrap();
    assert!(newest >= 2, "the ring rotated at least twice");
}

#[test]
fn lost_events_are_counted_and_reach_the_file() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("flood.shrk");
    // A 4 KiB ring buffer and a tight open loop: the kernel must drop records.
    let script = "python3 -c \"import os\nfor i in range(200000): os.close(os.open('/dev/null', os.O_RDONLY))\"";
    let started = Instant::now();
    record(
        &file,
        &["--follow", "--ring-size", "4K"],
        &["sh", "-c", script],
    );
    assert!(started.elapsed() < Duration::from_secs(120));
    let cap = Capture::open(&file).unwrap();
    assert!(cap.lost_count() > 0, "no lost events counted");
    let evs = cap.read_all().unwrap();
    let marked: u64 = evs
        .iter()
        .filter_map(|e| match e.body {
            Body::Lost { count } => Some(count),
            _ => None,
        })
        .sum();
    assert_eq!(
        marked,
        cap.lost_count(),
        "lost markers and chunk headers agree"
    );
    let info = Command::new(BIN)
        .args(["info", "--format", "json", file.to_str().unwrap()])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(v["lost"].as_u64().unwrap(), cap.lost_count());
}

#[test]
fn a_full_disk_stops_recording_with_a_valid_file_and_a_clear_error() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let ok = Command::new("mount")
        .args([
            "-t",
            "tmpfs",
            "-o",
            "size=96k",
            "tmpfs",
            mnt.to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(ok.success(), "mounting a small tmpfs");
    let file = mnt.join("full.shrk");
    // The workload outlives a recorder that stopped: it must not hold the test's pipes.
    let script = format!(
        "exec >/dev/null 2>&1; i=0; while [ $i -lt 40000 ]; do : > {0}/m-$i; rm -f {0}/m-$i; i=$((i+1)); done",
        dir.path().display()
    );
    let o = Command::new(BIN)
        .args([
            "record",
            "-o",
            file.to_str().unwrap(),
            "--follow",
            "--flush-interval",
            "100ms",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    Command::new("pkill")
        .args(["-f", &format!("{}/m-", dir.path().display())])
        .status()
        .ok();
    let copy = dir.path().join("copy.shrk");
    std::fs::copy(&file, &copy).unwrap();
    Command::new("umount").arg(&mnt).status().unwrap();
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("full.shrk") && stderr.contains("No space left"),
        "{stderr}"
    );
    // The file holds only complete chunks: it reads without damage beyond the missing footer.
    let cap = Capture::open(&copy).unwrap();
    assert!(
        matches!(cap.damage().as_slice(), [Damage::NoFooter { .. }]),
        "{:?}",
        cap.damage()
    );
    assert!(cap.read_all().unwrap().len() > 100);
}

#[test]
fn record_exits_as_the_recorded_command_did() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let noexec = dir.path().join("not-executable");
    std::fs::write(&noexec, "#!/bin/sh\n").unwrap();
    let noexec = noexec.to_str().unwrap().to_string();
    for (i, (command, status, says)) in [
        (vec!["sh", "-c", "exit 3"], 3, None),
        (vec!["sh", "-c", "kill -TERM $$"], 128 + 15, None),
        (
            vec!["shrike-no-such-command", "x"],
            127,
            Some("cannot run shrike-no-such-command: No such file or directory"),
        ),
        (vec![noexec.as_str()], 126, Some("Permission denied")),
    ]
    .into_iter()
    .enumerate()
    {
        let file = dir.path().join(format!("c{i}.shrk"));
        let mut args = vec!["record", "-o", file.to_str().unwrap(), "--follow", "--"];
        args.extend(&command);
        let o = Command::new(BIN).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(status), "{command:?}: {stderr}");
        if let Some(says) = says {
            assert!(
                stderr
                    .lines()
                    .any(|l| l.starts_with("shrike: ") && l.contains(says)),
                "{command:?}: {stderr}"
            );
        }
        // The attempt is in the capture all the same.
        assert!(!events(&file).is_empty());
    }
}

#[test]
fn without_root_the_message_says_what_is_missing() {
    // SAFETY: a plain getter.
    if unsafe { libc::geteuid() } != 0 || Command::new("runuser").arg("--help").output().is_err() {
        eprintln!("SKIPPED: needs root and runuser to run shrike as another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.shrk");
    let o = Command::new("runuser")
        .args([
            "-u",
            "nobody",
            "--",
            BIN,
            "record",
            "-o",
            out.to_str().unwrap(),
            "--duration",
            "1s",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("needs root") && e.contains("sudo"), "{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
}

#[test]
fn default_rules_fire_on_a_recorded_workload() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let file = &k.file;
    let rules: Vec<String> = json_lines(&["scan", "--format", "json", file.to_str().unwrap()])
        .iter()
        .map(|a| a["rule"].as_str().unwrap().to_string())
        .collect();
    for want in [
        "Setuid or setgid bit set",
        "Socket redirected onto standard input or output",
        "Ptrace attach to another process",
    ] {
        assert!(
            rules.iter().any(|r| r == want),
            "{want} did not fire; alerts: {rules:?}"
        );
    }
    // Falco's own rule, unchanged, on the real PTRACE_POKEDATA the workload
    // does (it never fired while shrike compared requests as numbers), and
    // the request by name in a filter.
    if let Some(falco) = common::shared::shared("compat/falco/falco_rules.yaml") {
        let fired: Vec<serde_json::Value> = json_lines(&[
            "scan",
            "--format",
            "json",
            "--rules",
            falco.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert!(
            fired
                .iter()
                .any(|a| a["rule"] == "PTRACE attached to process" && a["pid"] == k.facts["pid"]),
            "Falco's PTRACE rule did not fire for the workload"
        );
    }
    let pokes = json_lines(&[
        "replay",
        "--format",
        "json",
        file.to_str().unwrap(),
        "--filter",
        "evt.type = ptrace and evt.arg.request = PTRACE_POKEDATA",
    ]);
    assert!(
        pokes.iter().any(|e| e["pid"] == k.facts["pid"]),
        "evt.arg.request = PTRACE_POKEDATA selected {pokes:?}"
    );
    // The filter language selects events in replay too.
    let execs = json_lines(&[
        "replay",
        "--format",
        "json",
        "--filter",
        "evt.type = execve and proc.pname = known_actions",
        file.to_str().unwrap(),
    ]);
    assert!(
        execs.iter().any(|e| e["argv"][1] == "shrike-marker-exec"),
        "{execs:?}"
    );
    assert!(execs.iter().all(|e| e["kind"] == "execve"));
}

#[test]
fn timeline_shows_the_tree_with_actions_in_time_order() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let (file, work, f) = (&k.file, &k.work, &k.facts);
    let pid = f["pid"].as_u64().unwrap();
    let procs = json_lines(&[
        "timeline",
        "--format",
        "json",
        "--pid",
        &pid.to_string(),
        file.to_str().unwrap(),
    ]);
    let by_pid = |p: u64| {
        procs
            .iter()
            .find(|x| x["pid"] == p)
            .unwrap_or_else(|| panic!("pid {p} not in the timeline"))
    };
    let me = by_pid(pid);
    assert!(me["cmdline"].as_str().unwrap().contains("known_actions"));
    let children: Vec<u64> = me["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    for k in ["echo_pid", "setuid_pid", "ptrace_pid", "exit7_pid"] {
        assert!(
            children.contains(&f[k].as_u64().unwrap()),
            "{k} is a child of the workload: {children:?}"
        );
    }
    let echo = by_pid(f["echo_pid"].as_u64().unwrap());
    assert_eq!(echo["cmdline"], "/bin/echo shrike-marker-exec arg two");
    assert_eq!(echo["ppid"].as_u64(), Some(pid));
    assert_eq!(by_pid(f["exit7_pid"].as_u64().unwrap())["exit_code"], 7);
    assert_eq!(by_pid(f["ptrace_pid"].as_u64().unwrap())["exit_signal"], 15);
    // The recorder (the workload's parent) is an ancestor.
    assert!(procs.iter().any(|p| {
        p["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_u64() == Some(pid))
    }));
    // Actions in time order, including the known ones.
    let actions = me["actions"].as_array().unwrap();
    let times: Vec<i128> = actions
        .iter()
        .map(|a| a["time_ns"].as_i64().unwrap() as i128)
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let summaries: Vec<&str> = actions
        .iter()
        .map(|a| a["summary"].as_str().unwrap())
        .collect();
    // The kernel's word that the open made the file, not only that O_CREAT was asked.
    let known = format!(
        "open {}/known.txt (write, O_TRUNC|O_CREAT, new file)",
        work.display()
    );
    assert!(summaries.iter().any(|s| s.starts_with(&known)), "{known}");
    assert!(
        summaries
            .iter()
            .any(|s| s.starts_with("connect to 127.0.0.1:"))
    );

    // Timesketch: the required fields, well formed, on every line.
    let lines = json_lines(&[
        "timeline",
        "--format",
        "timesketch-jsonl",
        file.to_str().unwrap(),
    ]);
    assert!(lines.len() > 100);
    for l in &lines {
        assert!(!l["message"].as_str().unwrap().is_empty());
        let dt = l["datetime"].as_str().unwrap();
        assert!(
            dt.len() == 32 && dt.ends_with("+00:00") && dt.as_bytes()[10] == b'T',
            "{dt}"
        );
        assert!(l["timestamp_desc"].as_str().unwrap().starts_with("shrike "));
        assert!(l["timestamp"].as_i64().unwrap() > 1_700_000_000_000_000);
    }
    let o = Command::new(BIN)
        .args([
            "timeline",
            "--format",
            "timesketch-csv",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&o.stdout[..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        &header[..4],
        ["message", "datetime", "timestamp_desc", "timestamp"]
    );
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), lines.len());
    assert!(
        rows.iter()
            .all(|r| r.len() == header.len() && r[1].ends_with("+00:00"))
    );
}

#[test]
fn sql_answers_questions_about_a_recorded_workload() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let (file, work, f) = (&k.file, &k.work, &k.facts);
    let db = k.dir.path().join("q.db");
    export(file, "--sqlite", &db, true);
    let sql = |q: &str| json_lines(&["sql", db.to_str().unwrap(), q, "--format", "json"]);
    // The exec of the marker command, with its argv and its parent.
    let rows = sql(
        "SELECT p.pid, p.cmdline, parent.pid AS parent_pid FROM events e JOIN processes p USING (process_id) LEFT JOIN processes parent ON parent.process_id = p.parent_id WHERE e.kind = 'execve' AND e.res = 0 AND p.cmdline LIKE '%shrike-marker-exec%'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["cmdline"], "/bin/echo shrike-marker-exec arg two");
    assert_eq!(rows[0]["pid"], f["echo_pid"]);
    assert_eq!(rows[0]["parent_pid"], f["pid"]);
    // The connect to the known port.
    let port = f["server_port"].as_u64().unwrap();
    let rows = sql(&format!(
        "SELECT pid, remote_ip, local_port FROM network_activity WHERE operation = 'connect' AND remote_port = {port}"
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["remote_ip"], "127.0.0.1");
    assert_eq!(rows[0]["local_port"], f["client_port"]);
    assert_eq!(rows[0]["pid"], f["pid"]);
    // The opens of the known path: one write, one read.
    let known = format!("{}/known.txt", work.display());
    let rows = sql(&format!(
        "SELECT flags & 3 AS access FROM file_activity WHERE path = '{known}' AND operation = 'openat' ORDER BY time"
    ));
    // The write, a read, an append, then reads: by a path relative to the cwd, for a module load.
    let access: Vec<i64> = rows.iter().map(|r| r["access"].as_i64().unwrap()).collect();
    assert_eq!(access, [1, 0, 1, 0, 0]);
    // Alerts went in with --rules.
    assert!(
        !sql("SELECT rule FROM alerts WHERE rule = 'Ptrace attach to another process'").is_empty()
    );
    // The capture file works directly too (exported to a temporary database).
    let o = Command::new(BIN)
        .args([
            "sql",
            file.to_str().unwrap(),
            "SELECT count(*) AS n FROM events WHERE kind = 'connect'",
        ])
        .output()
        .unwrap();
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("(1 rows)"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // A bad query prints SQLite's message and is a usage error (2), as documented.
    let o = Command::new(BIN)
        .args(["sql", db.to_str().unwrap(), "SELECT nope FROM events"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such column: nope"));
}

/// docs/fleet.md's queries, run by `engine` (duckdb or spark) on the
/// dataset `dir` with scripts/fleet-query: query name → rows, sorted (the
/// engines may order ties differently).
fn fleet_queries(
    engine: &str,
    dir: &Path,
) -> std::collections::BTreeMap<String, Vec<serde_json::Value>> {
    let python = fleet_venv_python();
    let o = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fleet-query"))
        .arg(engine)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/setup makes it)", python.display()));
    assert!(
        o.status.success(),
        "{engine}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut rows = v["rows"].as_array().unwrap().clone();
            rows.sort_by_key(|r| r.to_string());
            (v["query"].as_str().unwrap().to_string(), rows)
        })
        .collect()
}

#[test]
fn duckdb_and_spark_answer_the_fleet_queries_about_a_recorded_workload() {
    if !ebpf_usable() {
        return;
    }
    if fleet_python().is_none() {
        return;
    }
    if Command::new("java").arg("-version").output().is_err() {
        common::cannot_run("no java for Spark (scripts/setup installs it)");
        return;
    }
    let k = record_known_actions();
    let (file, work, f) = (&k.file, &k.work, &k.facts);
    let dir = k.dir.path().join("dataset");
    export(file, "--parquet", &dir, true);
    // Exporting again replaces the capture's files: no row twice.
    let again = export(file, "--parquet", &dir, true);
    assert!(again.contains("its files were replaced"), "{again}");
    let duck = fleet_queries("duckdb", &dir);
    let spark = fleet_queries("spark", &dir);
    assert_eq!(duck.len(), 11, "docs/fleet.md's queries: {:?}", duck.keys());
    assert_eq!(duck, spark, "DuckDB and Spark disagree");
    let rows = |q: &str| duck[q].clone();
    let has = |q: &str, want: &dyn Fn(&serde_json::Value) -> bool| {
        let r = rows(q);
        assert!(r.iter().any(want), "{q}: no such row in {r:#?}");
    };
    // commands: device_hostname, time, pid, process_cmd_line, ppid, user.
    has("commands", &|r| {
        r[3] == "/bin/echo shrike-marker-exec arg two" && r[2] == f["echo_pid"] && r[4] == f["pid"]
    });
    assert_eq!(
        rows("commands")
            .iter()
            .filter(|r| r[3] == "/bin/echo shrike-marker-exec arg two")
            .count(),
        1
    );
    // connections: host, pid, cmd_line, dst ip, dst port, src port, n.
    has("connections", &|r| {
        r[3] == "127.0.0.1"
            && r[4] == f["server_port"]
            && r[5] == f["client_port"]
            && r[1] == f["pid"]
            && r[6] == 1
    });
    // resolved: the workload's lookups, decoded, with the server it asked.
    let server = f["dns_server"].as_str().unwrap();
    for (name, ty, answers) in [
        ("known.example.org", "A", "198.51.100.9"),
        ("c2.example.net", "A", "127.0.0.9"),
        ("mm.example.com", "AAAA", "2001:db8::10"),
        ("tcp.example.org", "A", "198.51.100.11"),
    ] {
        has("resolved", &|r| {
            r[1] == name
                && r[2] == ty
                && r[3] == "NOERROR"
                && r[4] == answers
                && r[5] == f["pid"]
                && (name == "c2.example.net" || r[7] == server)
        });
    }
    // sent: the upload and the write through io_uring, exactly, from the
    // client's ends to the server's port.
    let sent = f["upload"].as_u64().unwrap() + f["uring_sent"].as_u64().unwrap();
    has("sent", &|r| {
        r[1] == f["pid"] && r[4] == f["server_port"] && r[5] == sent && r[6] == 0
    });
    // written: the workload wrote known.txt twice (a write, then an append).
    let known = format!("{}/known.txt", work.display());
    has("written", &|r| {
        r[1] == known.as_str() && r[2] == f["pid"] && r[3] == 2
    });
    has("alerts", &|r| r[1] == "Ptrace attach to another process");
    let events = Capture::open(file).unwrap().event_count();
    has("hosts", &|r| r[1] == 1 && r[2] == events && r[3] == 0);
    has("tree", &|r| {
        r[2] == "/bin/echo shrike-marker-exec arg two"
            && r[3].as_str().is_some_and(|p| p.contains("facts.json"))
    });
}

#[test]
fn a_process_in_a_container_cgroup_is_seen_with_its_container_id_and_its_runtimes_metadata() {
    if !ebpf_usable() {
        return;
    }
    let root = shrike_capture::cgroups::cgroup2_root().expect("a cgroup2 mount");
    // A cgroup named the way Docker names a container's, made for this test only.
    let seed = std::process::id() as u64 ^ boottime();
    let id: String = (0..4)
        .map(|i| format!("{:016x}", seed.rotate_left(i * 16)))
        .collect();
    let cg = root.join(format!("docker-{id}.scope"));
    std::fs::create_dir(&cg).unwrap();
    struct Remove(PathBuf);
    impl Drop for Remove {
        fn drop(&mut self) {
            // Emptied first: its processes have exited by now.
            let _ = std::fs::remove_dir(&self.0);
        }
    }
    let _remove = Remove(cg.clone());
    let dir = tempfile::tempdir().unwrap();
    // Docker's state for that container, as dockerd writes it, under a root
    // of the test's own (no container engine is installed here).
    let state = dir.path().join("runtime");
    let docker = state.join(format!("var/lib/docker/containers/{id}"));
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::write(
        docker.join("config.v2.json"),
        format!(
            r#"{{"ID":"{id}","Name":"/payments","Config":{{"Image":"docker.io/library/nginx:1.25","Labels":{{}}}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(docker.join("hostconfig.json"), r#"{"Privileged":true}"#).unwrap();
    let file = dir.path().join("container.shrk");
    let script = format!(
        "echo $$ > {}/cgroup.procs && exec /bin/echo inside-the-container",
        cg.display()
    );
    record_env(
        &file,
        &["--follow"],
        &["sh", "-c", &script],
        &[("SHRIKE_RUNTIME_ROOT", state.to_str().unwrap())],
    );
    let cap = Capture::open(&file).unwrap();
    let evs = cap.read_all().unwrap();
    let named: Vec<(u64, String)> = evs
        .iter()
        .filter_map(|e| match &e.body {
            Body::Cgroup { id, path } => Some((*id, s(path).to_string())),
            _ => None,
        })
        .collect();
    let want_path = format!("/docker-{id}.scope");
    let echo = evs
        .iter()
        .find(|e| matches!(&e.body, Body::Execve { res: 0, argv, .. } if argv.get(1).is_some_and(|a| a == b"inside-the-container")))
        .expect("the exec inside the cgroup is recorded");
    assert!(
        named.contains(&(echo.cgroup, want_path.clone())),
        "the exec's cgroup {} is named {want_path}: {named:?}",
        echo.cgroup
    );
    // The same field the rules use.
    let out = replay(
        &file,
        &format!("evt.type = execve and container.id = {}", &id[..12]),
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("inside-the-container"), "{out}");
    // What dockerd's files said, recorded, answers Falco's fields offline.
    let out = replay(
        &file,
        "evt.type = execve and container.name = payments and container.privileged = true \
         and container.image.repository = docker.io/library/nginx and container.image.tag = \"1.25\"",
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("inside-the-container"), "{out}");
    // Both exports name the container of what ran in it.
    let db = dir.path().join("c.db");
    export(&file, "--sqlite", &db, false);
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        "SELECT ct.name, ct.image, ct.privileged, c.cmdline FROM commands c \
         JOIN events e ON e.event_id = c.event_id JOIN containers ct ON ct.cgroup = e.cgroup",
        "--format",
        "json",
    ]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0]["name"].as_str(), rows[0]["privileged"].as_i64()),
        (Some("payments"), Some(1))
    );
    assert!(
        rows[0]["cmdline"]
            .as_str()
            .unwrap()
            .contains("inside-the-container"),
        "{rows:?}"
    );
    if fleet_python().is_none() {
        return;
    }
    let ds = dir.path().join("dataset");
    export(&file, "--parquet", &ds, false);
    let ran = fleet_queries("duckdb", &ds).remove("containers").unwrap();
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_eq!(ran[0][1], "payments", "{ran:?}");
    assert!(
        ran[0][3].as_str().unwrap().contains("inside-the-container"),
        "{ran:?}"
    );
}

#[test]
fn names_resolved_over_dns_are_seen_in_every_view() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let (file, f) = (&k.file, &k.facts);
    let pid = f["pid"].as_u64().unwrap();
    // Rules and filters: the lookup, and the name of the address it gave.
    let out = replay(
        file,
        "evt.type = dns and dns.name = c2.example.net and dns.is_response = true",
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = replay(
        file,
        "evt.type = dns and dns.answers contains 2001:db8::10 and dns.type = AAAA",
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = replay(file, "evt.type = connect and fd.sip.name = c2.example.net");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("127.0.0.9:443"), "{out}");
    // The timeline says what was resolved to what.
    let t = timeline_text(file, &["--pid", &pid.to_string()]);
    let server = f["dns_server"].as_str().unwrap();
    assert!(
        t.contains(&format!(
            "resolved known.example.org (A) \u{2192} 198.51.100.9 (from {server}:53)"
        )),
        "{t}"
    );
    assert!(
        t.contains(&format!("asked {server}:53 for mm.example.com (AAAA)")),
        "{t}"
    );
    // Sigma's DestinationHostname, on the connection to the address the lookup gave.
    let sigma = k.dir.path().join("dns.yml");
    std::fs::write(
        &sigma,
        "title: Connection to a known C2 name\nid: 0d3c9c1e-5f7a-4e2b-9c1d-2e3f4a5b6c7d\nstatus: test\n\
         logsource:\n  category: network_connection\n  product: linux\n\
         detection:\n  selection:\n    DestinationHostname|endswith: '.example.net'\n  condition: selection\nlevel: high\n",
    )
    .unwrap();
    let alerts = json_lines(&[
        "scan",
        file.to_str().unwrap(),
        "--rules",
        sigma.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["pid"], pid, "{alerts:?}");
    // SQL: the dns table, decoded.
    let db = k.dir.path().join("dns.db");
    export(file, "--sqlite", &db, false);
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        "SELECT name, type, rcode, answers, server_ip, proto FROM dns WHERE direction = 'response' ORDER BY event_id",
        "--format",
        "json",
    ]);
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["type"].as_str().unwrap().to_string(),
                r["answers"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        ("known.example.org", "A", "198.51.100.9"),
        ("c2.example.net", "A", "127.0.0.9"),
        ("mm.example.com", "A", "198.51.100.10"),
        ("mm.example.com", "AAAA", "2001:db8::10"),
        ("tcp.example.org", "A", "198.51.100.11"),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(got, want, "{rows:?}");
    assert!(rows.iter().all(|r| r["rcode"] == "NOERROR"), "{rows:?}");
    assert_eq!(rows[4]["proto"], 6, "{rows:?}");
}

#[test]
fn io_uring_requests_are_seen_in_every_view() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let (file, f) = (&k.file, &k.facts);
    let pid = f["pid"].as_u64().unwrap();
    let known = k.work.join("known.txt");
    let known = known.to_str().unwrap();
    let sp = f["server_port"].as_u64().unwrap();
    // Rules: an open through io_uring is an open, told apart by a field.
    let out = replay(
        file,
        &format!(
            "evt.type = openat and evt.is_open_read = true and fd.name = {known} and shrike.io_uring = true and shrike.io_uring.op = OPENAT"
        ),
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = replay(
        file,
        &format!("evt.type = connect and fd.sport = {sp} and shrike.io_uring = true"),
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    // A request of another kind is not taken for a connect.
    let out = replay(file, "evt.type = connect and shrike.io_uring.op != CONNECT");
    assert_eq!(out.lines().count(), 0, "{out}");
    // The default rules alert on /etc/shadow read through io_uring (the
    // workload reads it no other way).
    assert!(f["uring_shadow"].as_i64().unwrap() >= 0, "{f}");
    let alerts = json_lines(&["scan", file.to_str().unwrap(), "--format", "json"]);
    let shadow: Vec<_> = alerts
        .iter()
        .filter(|a| a["rule"] == "Read of credential files" && a["pid"] == pid)
        .collect();
    assert_eq!(shadow.len(), 1, "{alerts:?}");
    assert!(
        shadow[0]["output"]
            .as_str()
            .unwrap()
            .contains("file=/etc/shadow"),
        "{shadow:?}"
    );
    // The timeline says it came through io_uring, and what it moved.
    let t = timeline_text(file, &["--pid", &pid.to_string()]);
    for want in [
        format!("io_uring open {known} (read) -> fd {}", f["uring_fd"]),
        format!("io_uring READ: read 6 bytes from {known}"),
        format!("io_uring connect to 127.0.0.1:{sp}"),
        format!("io_uring WRITE: wrote 4321 bytes (4.2 KiB) to 127.0.0.1:{sp}"),
        "io_uring open /etc/shadow (read)".to_string(),
    ] {
        assert!(t.contains(&want), "{want:?} not in:\n{t}");
    }
    let waiter = f["uring_waiter"].as_u64().unwrap();
    let t = timeline_text(file, &["--pid", &waiter.to_string()]);
    assert!(
        t.contains("io_uring READ pipe:[")
            && t.contains("(still waiting when the recording stopped)"),
        "{t}"
    );
    // SQL: the file and network rows, named by the syscall whose work they did.
    let db = k.dir.path().join("uring.db");
    export(file, "--sqlite", &db, false);
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        &format!(
            "SELECT operation, path, flags FROM file_activity WHERE pid = {pid} AND operation LIKE 'io_uring:%' ORDER BY time"
        ),
        "--format",
        "json",
    ]);
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap(),
                r["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("io_uring:openat", known),
            ("io_uring:read", known),
            ("io_uring:openat", "/etc/shadow"),
        ],
        "{rows:?}"
    );
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        &format!(
            "SELECT operation FROM network_activity WHERE pid = {pid} AND operation LIKE 'io_uring:%' AND remote_port = {sp} ORDER BY time"
        ),
        "--format",
        "json",
    ]);
    let got: Vec<&str> = rows
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["io_uring:connect", "io_uring:write"], "{rows:?}");
}

#[test]
fn bytes_moved_are_told_exactly_in_every_view() {
    if !ebpf_usable() {
        return;
    }
    let k = record_known_actions();
    let (file, f) = (&k.file, &k.facts);
    let (pid, upload) = (f["pid"].as_u64().unwrap(), f["upload"].as_u64().unwrap());
    let sp = f["server_port"].as_u64().unwrap();
    // Rules and filters: the upload by its size and its destination.
    let out = replay(
        file,
        &format!(
            "evt.type = fd_io and shrike.bytes.written = {upload} and fd.sport = {sp} and fd.l4proto = tcp"
        ),
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = replay(
        file,
        &format!("evt.type = fd_io and shrike.bytes.read = {upload}"),
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    // The timeline, exactly and readably.
    let t = timeline_text(file, &["--pid", &pid.to_string()]);
    assert!(
        t.contains(&format!(
            "sent {upload} bytes (120.6 KiB) in 13 calls to 127.0.0.1:{sp} (at close)"
        )),
        "{t}"
    );
    // SQL: the documented question answers it.
    let db = k.dir.path().join("bytes.db");
    export(file, "--sqlite", &db, false);
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        &format!(
            "SELECT bytes_written, writes, until FROM bytes_moved WHERE remote_port = {sp} AND fdtype = 'socket' ORDER BY event_id"
        ),
        "--format",
        "json",
    ]);
    // The write the workload made through io_uring, then the upload.
    let got: Vec<(u64, u64, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["bytes_written"].as_u64().unwrap(),
                r["writes"].as_u64().unwrap(),
                r["until"].as_str().unwrap(),
            )
        })
        .collect();
    let sent = f["uring_sent"].as_u64().unwrap();
    assert_eq!(got, [(sent, 1, "close"), (upload, 13, "close")], "{rows:?}");
}

#[test]
fn executables_no_package_owns_are_kept_once_and_extracted_checked() {
    if !ebpf_usable() {
        return;
    }
    use sha2::Digest;
    if !Path::new("/var/lib/dpkg/info").is_dir() {
        common::cannot_run("no dpkg file lists: every binary would be kept");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A program no package has, over one 512 KiB part: /bin/true with a tail.
    let prog = dir.path().join("dropped-tool");
    let mut bytes = std::fs::read("/bin/true").unwrap();
    bytes.extend((0..700_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    bytes.extend_from_slice(format!("shrike-keep-test {}", std::process::id()).as_bytes());
    std::fs::write(&prog, &bytes).unwrap();
    std::fs::set_permissions(&prog, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let want = shrike_format::hex(&sha2::Sha256::digest(&bytes));
    let owned = std::fs::canonicalize("/bin/true").unwrap();
    let owned_sha = shrike_format::hex(&sha2::Sha256::digest(std::fs::read(&owned).unwrap()));
    let file = dir.path().join("keep.shrk");
    let script = format!("{p}; {p}; /bin/true", p = prog.display());
    let out = record(
        &file,
        &["--follow", "--keep-binaries=4M"],
        &["sh", "-c", &script],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parts: Vec<(String, u64, u64, usize)> = events(&file)
        .iter()
        .filter_map(|e| match &e.body {
            Body::ExeFile {
                sha256,
                size,
                offset,
                data,
                ..
            } => Some((s(sha256).to_string(), *size, *offset, data.len())),
            _ => None,
        })
        .collect();
    // Kept once though it ran twice, in parts that cover it; the package's not at all.
    let mine: Vec<&(String, u64, u64, usize)> = parts.iter().filter(|p| p.0 == want).collect();
    assert_eq!(mine.len(), 2, "{parts:?}");
    assert_eq!(
        mine.iter().map(|p| p.3 as u64).sum::<u64>(),
        bytes.len() as u64
    );
    assert!(!parts.iter().any(|p| p.0 == owned_sha), "{parts:?}");
    assert!(parts.iter().all(|p| p.1 <= 4 << 20), "{parts:?}");
    // Extracted, checked, exactly.
    let out_dir = dir.path().join("kept");
    let o = Command::new(BIN)
        .args([
            "extract",
            file.to_str().unwrap(),
            "-o",
            out_dir.to_str().unwrap(),
            "--sha256",
            &want[..12],
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(out_dir.join(&want)).unwrap(), bytes);
    assert!(String::from_utf8_lossy(&o.stdout).contains("dropped-tool"));
}

#[test]
fn the_sha256_of_each_executable_run_is_recorded() {
    if !ebpf_usable() {
        return;
    }
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    // A program no package has: /bin/true with bytes of this run appended
    // (an ELF runs the same with a tail), so its hash is its own.
    let prog = dir.path().join("fresh-build");
    let mut bytes = std::fs::read("/bin/true").unwrap();
    bytes.extend_from_slice(format!("shrike-hash-test {}", std::process::id()).as_bytes());
    std::fs::write(&prog, &bytes).unwrap();
    std::fs::set_permissions(&prog, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let want = shrike_format::hex(&sha2::Sha256::digest(&bytes));
    let file = dir.path().join("hash.shrk");
    let script = format!("{}; {} && true", prog.display(), prog.display());
    record(&file, &["--follow"], &["sh", "-c", &script]);
    let evs = events(&file);
    let hashes: Vec<(u32, u64, String, u64)> = evs
        .iter()
        .filter_map(|e| match &e.body {
            Body::ExeHash {
                exec_ts,
                path,
                sha256,
                source,
                ..
            } if s(path) == prog.to_str().unwrap() => {
                Some((e.pid, *exec_ts, s(sha256).to_string(), *source))
            }
            _ => None,
        })
        .collect();
    // Both runs were hashed, each tied to its own exec, with the file's SHA-256.
    assert_eq!(hashes.len(), 2, "{hashes:?}");
    for (pid, exec_ts, sha, source) in &hashes {
        assert_eq!(sha, &want);
        assert!(matches!(source, 1 | 2), "{source}");
        assert!(
            evs.iter().any(|e| e.pid == *pid
                && e.ts == *exec_ts
                && matches!(&e.body, Body::Execve { res: 0, exe, .. } if s(exe) == prog.to_str().unwrap())),
            "no exec of pid {pid} at {exec_ts}"
        );
    }
    // Rules and filters see it on the exec.
    let out = replay(
        &file,
        &format!("evt.type = execve and shrike.exe.sha256 = {want}"),
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("fresh-build"), "{out}");
    // The timeline says it.
    let t = timeline_text(&file, &[]);
    assert!(t.contains(&format!("sha256 {want}")), "{t}");
    // Sigma's Hashes, as Sysmon writes it.
    let sigma = dir.path().join("hash.yml");
    std::fs::write(
        &sigma,
        format!(
            "title: Known bad binary by hash\nid: 6f0c2b1e-3d4a-4b5c-8d9e-0a1b2c3d4e5f\nstatus: test\n\
             logsource:\n  category: process_creation\n  product: linux\n\
             detection:\n  selection:\n    Hashes|contains: 'SHA256={}'\n  condition: selection\nlevel: high\n",
            want.to_uppercase()
        ),
    )
    .unwrap();
    let alerts = json_lines(&[
        "scan",
        file.to_str().unwrap(),
        "--rules",
        sigma.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    // Both exports carry it on the program's row.
    let db = dir.path().join("hash.db");
    export(&file, "--sqlite", &db, false);
    let rows = json_lines(&[
        "sql",
        db.to_str().unwrap(),
        &format!(
            "SELECT sha256 FROM commands WHERE exe = '{}'",
            prog.display()
        ),
        "--format",
        "json",
    ]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|r| r["sha256"] == want.as_str()),
        "{rows:?}"
    );
    let Some(python) = fleet_python() else {
        return;
    };
    let ds = dir.path().join("dataset");
    export(&file, "--parquet", &ds, false);
    let o = Command::new(&python)
        .arg("-c")
        .arg(format!(
            "import duckdb; print(duckdb.sql(\"SELECT count(*) FROM read_parquet('{}/process_activity/**/*.parquet') \
             WHERE activity_id = 1 AND process_file_path = '{}' AND process_file_hash_sha256 = '{want}'\").fetchall()[0][0])",
            ds.display(),
            prog.display()
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "2",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_tools_attackers_use_on_files_leave_events_with_their_arguments() {
    // setcap, touch -d and chattr +i themselves, as an intruder runs them.
    if !ebpf_usable() {
        return;
    }
    for tool in ["setcap", "chattr", "touch"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found
            && !common::cannot_run(&format!(
                "{tool} is not installed (scripts/setup installs it)"
            ))
        {
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tools.shrk");
    let f = dir.path().join("implant");
    let script = format!(
        "touch {f} && touch -d '2001-02-03 04:05:06 UTC' {f} && setcap cap_setuid+ep {f} && chattr +i {f} && chattr -i {f}",
        f = f.display()
    );
    record(&file, &["--follow"], &["sh", "-c", &script]);
    let evs = events(&file);
    let at = |p: &[u8]| s(p) == f.to_str().unwrap();
    let backdated = evs.iter().any(|e| {
        matches!(&e.body, Body::Utimensat { abspath, mtime_sec: 981_173_106, res: 0, .. } if at(abspath))
    });
    let caps = evs.iter().any(|e| {
        matches!(&e.body,
            Body::Setxattr { abspath, name, cap_permitted, cap_magic, res: 0, .. }
            | Body::Fsetxattr { abspath, name, cap_permitted, cap_magic, res: 0, .. }
            if at(abspath) && s(name) == "security.capability" && *cap_permitted == 1 << 7 && cap_magic & 1 == 1)
    });
    let immutable = evs.iter().any(|e| {
        matches!(&e.body, Body::Ioctl { abspath, flags, res: 0, .. } if at(abspath) && flags & 0x10 != 0)
    });
    assert!(
        backdated && caps && immutable,
        "touch -d recorded: {backdated}, setcap: {caps}, chattr +i: {immutable}; {} events in {}",
        evs.len(),
        file.display()
    );
    // The timeline says it in words.
    let text = timeline_text(&file, &[]);
    for want in [
        "modified 2001-02-03T04:05:06.000000000Z".to_string(),
        format!("set file capabilities CAP_SETUID=ep on {}", f.display()),
        format!("set inode flags of {}: immutable", f.display()),
    ] {
        assert!(text.contains(&want), "timeline lacks {want:?}:\n{text}");
    }
}

#[test]
fn a_planted_segment_name_stops_the_command_instead_of_leaving_it_unrecorded() {
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rot.shrk");
    // Someone else's file where the first rotation will go.
    let planted = dir.path().join("rot.1.shrk");
    std::fs::write(&planted, b"planted").unwrap();
    let finished = dir.path().join("finished");
    let script = format!(
        "i=0; while [ $i -lt 30000 ]; do : > {d}/marker-$i; i=$((i+1)); done; : > {f}",
        d = dir.path().display(),
        f = finished.display()
    );
    let o = Command::new(BIN)
        .args([
            "record",
            "-o",
            file.to_str().unwrap(),
            "--follow",
            "--max-size",
            "16K",
            "--flush-interval",
            "100ms",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rot.1.shrk"),
        "the error names the segment: {err}"
    );
    assert!(err.contains("killed the command it follows"), "{err}");
    assert_eq!(
        std::fs::read(&planted).unwrap(),
        b"planted",
        "the planted file is left alone"
    );
    // Under the old recorder the command ran on, unrecorded, to its end.
    std::thread::sleep(Duration::from_secs(8));
    assert!(
        !finished.exists(),
        "the command ran on after the recording stopped"
    );
    // What was recorded before the failure is intact.
    let o = Command::new(BIN)
        .args(["verify", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn a_program_from_an_overlay_upper_layer_is_marked_and_one_from_a_lower_layer_is_not() {
    // What a container's writable layer is: a binary dropped into it at run
    // time is in the upper layer; the image's own binaries are in the lower.
    if !ebpf_usable() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| {
        let p = dir.path().join(n);
        std::fs::create_dir_all(&p).unwrap();
        p
    };
    let (lower, upper, work, merged) = (d("lower"), d("upper"), d("work"), d("merged"));
    std::fs::copy("/bin/true", lower.join("shipped")).unwrap();
    std::fs::copy("/bin/true", upper.join("dropped")).unwrap();
    let opts = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.display(),
        upper.display(),
        work.display()
    );
    let m = Command::new("mount")
        .args(["-t", "overlay", "overlay", "-o", &opts])
        .arg(&merged)
        .output()
        .unwrap();
    assert!(
        m.status.success(),
        "mount: {}",
        String::from_utf8_lossy(&m.stderr)
    );
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(merged.clone());
    let file = dir.path().join("overlay.shrk");
    let script = format!("{0}/shipped; {0}/dropped", merged.display());
    record(&file, &["--follow"], &["sh", "-c", &script]);
    let upper_of = |name: &str| {
        let e = events(&file)
            .into_iter()
            .find(|e| matches!(&e.body, Body::Execve { res: 0, filename, .. } if s(filename).ends_with(name)))
            .unwrap_or_else(|| panic!("the exec of {name} is recorded"));
        let Body::Execve { flags, .. } = e.body else {
            unreachable!()
        };
        flags & shrike_format::EXEC_UPPER_LAYER != 0
    };
    assert!(
        upper_of("/dropped"),
        "a binary written into the upper layer"
    );
    assert!(!upper_of("/shipped"), "a binary of the lower layer");
    // Falco's field answers from it.
    let out = replay(
        &file,
        "evt.type = execve and proc.is_exe_upper_layer = true",
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("/dropped"), "{out}");
}
