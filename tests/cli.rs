//! The `shrike` binary end to end: generate, info, verify, keygen and seals,
//! exit codes and error messages.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shrike(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn generate_info_verify() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("demo.shrk");
    let o = shrike(&["generate", "-o", p(&f), "--events", "30000", "--seed", "4"]);
    assert!(o.status.success(), "{}", text(&o));
    let again = shrike(&["generate", "-o", p(&f), "--events", "10"]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "refuses to overwrite: {}",
        text(&again)
    );
    assert!(text(&again).contains("--force"));

    let o = shrike(&["info", "--format", "json", p(&f)]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["events"], 30000);
    assert_eq!(v["hostname"], "synth-host");
    assert_eq!(v["closed_cleanly"], true);
    assert_eq!(v["damage"].as_array().unwrap().len(), 0);
    let kinds: u64 = v["kinds"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(kinds, 30000);
    assert!(
        v["first"]
            .as_str()
            .unwrap()
            .starts_with("2026-11-26T00:16:40"),
        "{v}"
    );

    let o = shrike(&["info", p(&f)]);
    assert!(
        text(&o).contains("closed cleanly") && text(&o).contains("openat"),
        "{}",
        text(&o)
    );

    let o = shrike(&["verify", p(&f)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("OK"));

    // One flipped bit: verify names the offset and exits 1.
    let mut bytes = std::fs::read(&f).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 4;
    let bad = dir.path().join("bad.shrk");
    std::fs::write(&bad, &bytes).unwrap();
    let o = shrike(&["verify", p(&bad)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("FAILED at byte offset") && text(&o).contains("CRC32C"),
        "{}",
        text(&o)
    );
    let o = shrike(&["verify", "--format", "json", p(&bad)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["problem"]["offset"].as_u64().unwrap() <= at as u64);

    // A killed recorder's file: info reports it, verify fails.
    let cut = dir.path().join("cut.shrk");
    std::fs::write(&cut, &std::fs::read(&f).unwrap()[..bytes.len() - 100]).unwrap();
    let o = shrike(&["info", p(&cut)]);
    assert_eq!(o.status.code(), Some(3), "incomplete: exit 3");
    assert!(text(&o).contains("NOT closed cleanly"), "{}", text(&o));
    assert_eq!(shrike(&["verify", p(&cut)]).status.code(), Some(1));
}

#[test]
fn seals_bind_a_file_to_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let k = dir.path().join("resp");
    assert!(shrike(&["keygen", p(&k)]).status.success());
    let secret = dir.path().join("resp.key");
    let public = dir.path().join("resp.pub");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        !shrike(&["keygen", p(&k)]).status.success(),
        "keygen never replaces a key unless told"
    );
    // --force creates anew: a key file planted world-readable does not stay so.
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o666)).unwrap();
    let old = std::fs::read_to_string(&public).unwrap();
    assert!(shrike(&["keygen", "--force", p(&k)]).status.success());
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_ne!(std::fs::read_to_string(&public).unwrap(), old);

    let f = dir.path().join("sealed.shrk");
    let o = shrike(&[
        "generate",
        "-o",
        p(&f),
        "--events",
        "20000",
        "--seal-key",
        p(&secret),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = shrike(&["verify", p(&f), "--key", p(&public)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let hex = std::fs::read_to_string(&public).unwrap();
    assert_eq!(
        shrike(&["verify", p(&f), "--key", hex.trim()])
            .status
            .code(),
        Some(0)
    );

    let unsealed = dir.path().join("plain.shrk");
    assert!(
        shrike(&["generate", "-o", p(&unsealed), "--events", "100"])
            .status
            .success()
    );
    let o = shrike(&["verify", p(&unsealed), "--key", p(&public)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("the first frame is not a seal"),
        "{}",
        text(&o)
    );

    let o = shrike(&["verify", p(&f), "--key", "abc"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("expected 64 hex digits"), "{}", text(&o));
}

#[test]
fn errors_name_the_file_and_exit_2() {
    let o = shrike(&["info", "/nonexistent/x.shrk"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("/nonexistent/x.shrk") && text(&o).contains("No such file"),
        "{}",
        text(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let o = shrike(&["info", p(&junk)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("junk.txt") && text(&o).contains("not a shrike capture"),
        "{}",
        text(&o)
    );
    let o = shrike(&["verify", p(&junk)]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(shrike(&["frobnicate"]).status.code(), Some(2));
    let help = shrike(&["--help"]);
    assert!(text(&help).contains("Examples") && text(&help).contains("Exit status"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // `shrike … | head`: once the reader has gone, writing fails with a
    // broken pipe, which every command that prints rows takes as the end.
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("demo.shrk");
    let db = dir.path().join("demo.db");
    assert!(
        shrike(&["generate", "-o", p(&f), "--events", "30000"])
            .status
            .success()
    );
    assert!(
        shrike(&["export", p(&f), "--sqlite", p(&db)])
            .status
            .success()
    );
    for args in [
        vec!["sql", p(&db), "SELECT * FROM events"],
        vec!["replay", p(&f)],
        vec!["scan", p(&f)],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shrike"))
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is closed here, with most of the output unwritten.
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

/// A synthetic capture of `events` events at `dir/c.shrk`.
fn generated(dir: &Path, events: u64) -> PathBuf {
    let f = dir.join("c.shrk");
    let o = shrike(&["generate", "-o", p(&f), "--events", &events.to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    f
}

/// A generated capture and a rules file holding `rules`, in `dir`.
fn capture_and_rules(dir: &Path, rules: &str) -> (PathBuf, PathBuf) {
    let f = dir.join("demo.shrk");
    let r = dir.join("r.yaml");
    assert!(
        shrike(&["generate", "-o", p(&f), "--events", "30000", "--seed", "4"])
            .status
            .success()
    );
    std::fs::write(&r, rules).unwrap();
    (f, r)
}

#[test]
fn scan_json_lines_carry_falcos_fields_in_falcos_order() {
    let dir = tempfile::tempdir().unwrap();
    // A field named twice, one without a value (no pod on a host), and tags out of order.
    let (f, rules) = capture_and_rules(
        dir.path(),
        "- rule: Kill seen\n  desc: d\n  condition: evt.type = kill\n  \
         output: kill by %proc.name (%proc.name) to %evt.arg.target_pid on %k8s.pod.name\n  \
         priority: NOTICE\n  tags: [zeta, alpha]\n",
    );
    let o = shrike(&["scan", p(&f), "--rules", p(&rules), "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    let first = out.lines().next().expect("an alert");
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        // Sorted, as Falco writes them (shrike's event, file and pid among them).
        [
            "event",
            "file",
            "hostname",
            "output",
            "output_fields",
            "pid",
            "priority",
            "rule",
            "source",
            "tags",
            "time"
        ],
        "{first}"
    );
    assert_eq!(v["rule"], "Kill seen");
    assert_eq!(v["priority"], "Notice");
    assert_eq!(v["tags"], serde_json::json!(["alpha", "zeta"]));
    assert_eq!(v["hostname"], "synth-host");
    assert_eq!(v["source"], "syscall");
    assert_eq!(v["file"], p(&f));
    assert_eq!(v["event"], "kill");
    let fields = v["output_fields"].as_object().unwrap();
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "evt.time",
            "proc.name",
            "evt.arg.target_pid",
            "k8s.pod.name"
        ]
    );
    assert_eq!(first.matches("\"proc.name\":").count(), 1, "{first}");
    assert_eq!(fields["k8s.pod.name"], serde_json::Value::Null);
    // Typed as Falco types them: evt.time in ns since the epoch, a pid a number.
    let time_ns = fields["evt.time"].as_i64().expect("evt.time is a number");
    let iso = v["time"].as_str().unwrap();
    assert!(iso.ends_with('Z') && iso.len() == 30, "{iso}");
    let comm = fields["proc.name"].as_str().unwrap();
    // evt.arg.* is text in Falco (it renders names); a plain pid field is a number.
    let target = fields["evt.arg.target_pid"].as_str().unwrap();
    // Falco's output starts with the time of day and the priority.
    let day = time_ns.rem_euclid(86_400_000_000_000);
    let clock = format!(
        "{:02}:{:02}:{:02}.{:09}",
        day / 3_600_000_000_000,
        day / 60_000_000_000 % 60,
        day / 1_000_000_000 % 60,
        day % 1_000_000_000
    );
    assert_eq!(
        v["output"],
        format!("{clock}: Notice kill by {comm} ({comm}) to {target} on <NA>"),
        "{first}"
    );
    assert_eq!(&iso[11..29], clock, "time and output agree");

    // A rule without %fields still has output_fields (falcosidekick refuses
    // an empty one); a numeric field is a JSON number.
    std::fs::write(
        &rules,
        "- rule: Plain\n  desc: d\n  condition: evt.type = kill\n  output: a kill\n  priority: INFO\n\
         - rule: Pid\n  desc: d\n  condition: evt.type = kill\n  output: by %proc.pid\n  priority: DEBUG\n",
    )
    .unwrap();
    let o = shrike(&["scan", p(&f), "--rules", p(&rules), "--format", "json"]);
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let plain = lines.iter().find(|l| l["rule"] == "Plain").unwrap();
    assert_eq!(
        plain["output_fields"].as_object().unwrap().len(),
        1,
        "{plain}"
    );
    assert!(plain["output_fields"]["evt.time"].is_i64(), "{plain}");
    let pid = lines.iter().find(|l| l["rule"] == "Pid").unwrap();
    assert!(pid["output_fields"]["proc.pid"].is_i64(), "{pid}");
    // Text lines as Falco prints them: time, priority, output.
    let o = shrike(&["scan", p(&f), "--rules", p(&rules)]);
    let line = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(line.ends_with("Z: Informational a kill"), "{line}");
}

#[test]
fn replay_and_scan_number_events_alike() {
    // evt.num is an event's place in its file, whichever command asks.
    let dir = tempfile::tempdir().unwrap();
    let (f, rules) = capture_and_rules(
        dir.path(),
        "- rule: One event\n  desc: d\n  condition: evt.num = 20001\n  output: x\n  priority: INFO\n",
    );
    let scan = shrike(&["scan", p(&f), "--rules", p(&rules), "--format", "json"]);
    assert!(scan.status.success(), "{}", text(&scan));
    let alert: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    let replay = shrike(&[
        "replay",
        p(&f),
        "--filter",
        "evt.num = 20001",
        "--format",
        "json",
    ]);
    assert!(replay.status.success(), "{}", text(&replay));
    let lines: Vec<serde_json::Value> = String::from_utf8(replay.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["time"], alert["time"]);
    assert_eq!(lines[0]["pid"], alert["pid"]);
    assert_eq!(lines[0]["kind"], alert["event"]);
}

/// A capture at `f` holding one exec of `filename` with `argv` by `comm`.
fn exec_capture(f: &Path, comm: &[u8], filename: &str, argv: &[&str]) {
    use shrike_format::{Writer, WriterOptions};
    let exec = shrike_synth::exec_event(
        7,
        2_000,
        comm.to_vec(),
        filename.as_bytes().to_vec(),
        argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
        b"/".to_vec(),
    );
    let mut w = Writer::new(
        std::fs::File::create(f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    w.append(&exec).unwrap();
    w.finish().unwrap();
}

#[test]
fn recorded_text_cannot_rewrite_the_terminal_or_forge_lines() {
    // What an intruder puts in argv and comm: an ESC sequence that erases the
    // line, a carriage return and newline that forge an alert, and a bidi
    // override that shows "exe.txt" as "txt.exe".
    let forged = "\u{1b}[2K\r2026-01-01T00:00:00Z: Critical [Forged rule] all clear\nnext";
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hostile.shrk");
    exec_capture(
        &f,
        b"evil\x1b]0;pwned\x07",
        "/bin/true",
        &["/bin/true", forged, "\u{202e}txt.exe"],
    );
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "- rule: Exec\n  desc: d\n  condition: evt.type = execve\n  \
         output: exec %proc.cmdline by %proc.name\n  priority: NOTICE\n",
    )
    .unwrap();
    let clean = |what: &str, out: &[u8], lines: usize| {
        let s = String::from_utf8_lossy(out);
        assert!(
            !out.iter().any(|&b| b == 0x1b || b == b'\r' || b == 0x07) && !s.contains('\u{202e}'),
            "{what} printed a raw control or bidi character: {s:?}"
        );
        assert_eq!(s.lines().count(), lines, "{what}: {s:?}");
        assert!(!s.contains("\n2026-01-01"), "{what} forged a line: {s:?}");
        assert!(
            s.contains("\\x1b") && s.contains("\\u{202e}"),
            "{what}: {s:?}"
        );
    };
    let o = shrike(&["scan", p(&f), "--rules", p(&rules)]);
    assert!(o.status.success(), "{}", text(&o));
    clean("scan", &o.stdout, 1);
    let o = shrike(&[
        "sql",
        p(&f),
        "SELECT comm, json_extract(detail, '$.argv[2]') AS arg FROM events WHERE kind = 'execve'",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    clean("sql", &o.stdout, 4); // header, rule, one row, count
}

#[test]
fn csv_cells_from_recorded_text_do_not_run_as_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("formula.shrk");
    let formula = "=HYPERLINK(\"http://203.0.113.9/x\",\"ok\")";
    exec_capture(&f, b"sh", formula, &[formula, "+cmd|' /C calc'!A0"]);
    let o = shrike(&["timeline", p(&f), "--format", "timesketch-csv"]);
    assert!(o.status.success(), "{}", text(&o));
    let o2 = shrike(&[
        "sql",
        p(&f),
        "--format",
        "csv",
        "SELECT json_extract(detail, '$.filename') AS f, res FROM events WHERE kind = 'execve'",
    ]);
    assert!(o2.status.success(), "{}", text(&o2));
    for (what, out) in [("timesketch-csv", &o.stdout), ("sql csv", &o2.stdout)] {
        let mut r = csv::Reader::from_reader(out.as_slice());
        let cells: Vec<String> = r
            .records()
            .flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .collect();
        assert!(
            cells.iter().any(|c| c.starts_with("'=HYPERLINK")),
            "{what}: {cells:?}"
        );
        assert!(
            !cells.iter().any(|c| c.starts_with(['=', '+', '@'])),
            "{what} has a formula cell: {cells:?}"
        );
    }
}

#[test]
fn sql_on_a_capture_keeps_its_database_private_and_reuses_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let f = dir.path().join("c.shrk");
    assert!(
        shrike(&["generate", "-o", p(&f), "--events", "20000"])
            .status
            .success()
    );
    let sql = |f: &Path| {
        Command::new(env!("CARGO_BIN_EXE_shrike"))
            .args(["sql", p(f), "SELECT count(*) FROM event_rows"])
            .env("HOME", &home)
            .env_remove("XDG_CACHE_HOME")
            .output()
            .unwrap()
    };
    let o = sql(&f);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("20000"), "{}", text(&o));
    let cache = home.join(".cache/shrike/sql");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache), 0o700, "the cache is the user's alone");
    let dbs = || -> Vec<PathBuf> {
        std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    };
    let [db] = dbs().try_into().expect("one database in the cache");
    assert_eq!(mode(&db), 0o600);
    let built = std::fs::metadata(&db).unwrap().modified().unwrap();
    // Unchanged capture: the same database answers, not rebuilt.
    let o = sql(&f);
    assert!(text(&o).contains("20000"), "{}", text(&o));
    assert_eq!(std::fs::metadata(&db).unwrap().modified().unwrap(), built);
    // A changed capture gets a new database; the old one goes.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(
        shrike(&["generate", "-o", p(&f), "--events", "500", "--force"])
            .status
            .success()
    );
    let o = sql(&f);
    assert!(text(&o).contains("500"), "{}", text(&o));
    assert_eq!(dbs().len(), 1, "{:?}", dbs());
    // A cache directory others can open is refused, not used.
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = sql(&f);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("mode 0700"), "{}", text(&o));
}

#[test]
fn export_force_replaces_a_planted_database_instead_of_using_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let f = generated(dir.path(), 2000);
    // Someone's database at the path: world-writable, not shrike's.
    let db = dir.path().join("out.db");
    std::fs::write(&db, b"planted").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let o = shrike(&["export", p(&f), "--sqlite", p(&db)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = shrike(&["export", p(&f), "--sqlite", p(&db), "--force"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
        0o600,
        "created anew"
    );
    let o = shrike(&["sql", p(&db), "SELECT count(*) FROM event_rows"]);
    assert!(text(&o).contains("2000"), "{}", text(&o));
}

#[test]
fn replay_and_timeline_show_values_by_name() {
    use shrike_format::{Body, Event, SockAddr, Writer, WriterOptions};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("names.shrk");
    let ev = |ts: u64, body: Body<Vec<u8>>| Event {
        ts,
        cpu: 0,
        pid: 7,
        tid: 7,
        comm: b"inject".to_vec(),
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        cgroup: 1,
        body,
    };
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    let mut exec = shrike_synth::exec_event(
        7,
        1_000,
        b"inject".to_vec(),
        b"/tmp/inject".to_vec(),
        vec![b"inject".to_vec()],
        b"/tmp".to_vec(),
    );
    if let Body::Execve { env, .. } = &mut exec.body {
        *env = vec![b"PATH=/bin".to_vec(), b"LD_PRELOAD=/tmp/hook.so".to_vec()];
    }
    for e in [
        exec,
        ev(
            2_000,
            Body::Ptrace {
                res: 0,
                request: 5,
                target_pid: 77,
                addr: 0x7ffd_1000,
                data: 0x5348_524b,
            },
        ),
        ev(
            3_000,
            Body::Kill {
                res: 0,
                target_pid: 77,
                signal: 9,
            },
        ),
        ev(
            4_000,
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/root/.bash_history".to_vec(),
                abspath: b"/root/.bash_history".to_vec(),
                resolved: 1,
                flags: 0o1101,
                mode: 0o600,
                created: 2,
            },
        ),
        ev(
            5_000,
            Body::Connect {
                res: -115,
                fd: 4,
                proto: 6,
                laddr: SockAddr::None,
                raddr: SockAddr::None,
            },
        ),
        ev(
            6_000,
            Body::ProcExit {
                code: 0,
                signal: 9,
                group_dead: 1,
            },
        ),
    ] {
        w.append(&e).unwrap();
    }
    w.finish().unwrap();
    let replay = text(&shrike(&["replay", p(&f)]));
    for want in [
        "request=PTRACE_POKEDATA",
        "addr=0x7ffd1000",
        "data=0x5348524b",
        "signal=SIGKILL",
        "flags=O_TRUNC|O_CREAT|O_WRONLY",
        "mode=0600",
        "dirfd=AT_FDCWD",
        "res=EINPROGRESS",
        "env=/* 2 vars */",
    ] {
        assert!(replay.contains(want), "{want} in\n{replay}");
    }
    let json = text(&shrike(&["replay", p(&f), "--format", "json"]));
    assert!(
        json.contains(r#""env":["PATH=/bin","LD_PRELOAD=/tmp/hook.so"]"#),
        "{json}"
    );
    let timeline = text(&shrike(&["timeline", p(&f)]));
    for want in [
        "ptrace PTRACE_POKEDATA on pid 77 at 0x7ffd1000 writing 0x5348524b",
        "kill pid 77 with SIGKILL",
        "open /root/.bash_history (write, O_TRUNC|O_CREAT, existed) -> fd 3",
        "(in progress: non-blocking)",
        "killed by SIGKILL",
    ] {
        assert!(timeline.contains(want), "{want} in\n{timeline}");
    }
    assert!(!timeline.contains("failed (-115)"), "{timeline}");
}

#[test]
fn a_misspelt_event_type_is_an_error_and_skips_name_every_missing_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = generated(dir.path(), 2000);
    // A filter with a type no one has used to return nothing, silently.
    let o = shrike(&["replay", p(&f), "--filter", "evt.type = exceve"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("unknown event type `exceve`"),
        "{}",
        text(&o)
    );
    // A misspelt field of a class Falco has is no field at all: an error, not a skip.
    let o = shrike(&["replay", p(&f), "--filter", "proc.nmae = bash"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("unknown field proc.nmae"), "{}", text(&o));
    // The same in a rule file fails the load, naming the file and line.
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "- rule: fine\n  desc: d\n  condition: evt.type = execve\n  output: x\n  priority: INFO\n\
         - rule: typo\n  desc: d\n  condition: evt.type in (execve, exceve)\n  output: x\n  priority: INFO\n\
         - rule: beyond\n  desc: d\n  condition: evt.type = execve and evt.buffer = x and fd.name_changed = true\n  output: x\n  priority: INFO\n",
    )
    .unwrap();
    let o = shrike(&["scan", p(&f), "--rules", p(&rules)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "{}:6: rule typo: unknown event type `exceve`",
            p(&rules)
        )),
        "{}",
        text(&o)
    );
    // A rule needing what shrike does not record is skipped, with all of it named.
    std::fs::write(
        &rules,
        "- rule: beyond\n  desc: d\n  condition: evt.type = execve and evt.buffer = x and fd.name_changed = true\n  output: x\n  priority: INFO\n",
    )
    .unwrap();
    let o = shrike(&["scan", p(&f), "--rules", p(&rules)]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("fields evt.buffer, fd.name_changed are not available"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("rules: 0 running, 1 skipped"),
        "{}",
        text(&o)
    );
    // A crafted rule file cannot write raw control bytes into the report of
    // a refused rule (YAML's double quotes turn `\e` into a raw ESC byte).
    std::fs::write(
        &rules,
        "- rule: \"bad\\e[2Kone\"\n  desc: d\n  condition: \"evt.type = ex\\e[2Keve\"\n  output: x\n  priority: INFO\n",
    )
    .unwrap();
    let o = shrike(&["scan", p(&f), "--rules", p(&rules)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!o.stderr.contains(&0x1b), "{}", text(&o));
    assert!(
        text(&o).contains("rule bad\\x1b[2Kone: unknown event type `ex\\x1b[2Keve`"),
        "{}",
        text(&o)
    );
}

#[test]
fn first_match_alerts_for_the_first_matching_rule_only() {
    let dir = tempfile::tempdir().unwrap();
    let (f, rules) = capture_and_rules(
        dir.path(),
        "- rule: First\n  desc: d\n  condition: evt.type = kill\n  output: first\n  priority: INFO\n\
         - rule: Second\n  desc: d\n  condition: evt.type = kill\n  output: second\n  priority: INFO\n",
    );
    let count = |extra: &[&str]| {
        let mut args = vec!["scan", p(&f), "--rules", p(&rules)];
        args.extend_from_slice(extra);
        let out = String::from_utf8(shrike(&args).stdout).unwrap();
        (
            out.lines().filter(|l| l.ends_with(" first")).count(),
            out.lines().filter(|l| l.ends_with(" second")).count(),
        )
    };
    let (a, b) = count(&[]);
    assert!(a > 0 && a == b, "every matching rule alerts: {a} {b}");
    assert_eq!(count(&["--first-match"]), (a, 0));
}

#[test]
fn conditions_falco_refuses_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let f = generated(dir.path(), 500);
    for (filter, says) in [
        ("proc.name > a", "operator `>` cannot be used on proc.name"),
        (
            "proc.name bcontains 41",
            "operator `bcontains` cannot be used on proc.name",
        ),
        (
            "fd.sip = 10.0.0.0/8",
            "fd.sip takes addresses (compare fd.snet",
        ),
        ("proc.name in (a, b,)", "no trailing comma"),
        ("prc.name = bash", "unknown field prc.name"),
    ] {
        let o = shrike(&["replay", p(&f), "--filter", filter]);
        assert_eq!(o.status.code(), Some(2), "{filter}: {}", text(&o));
        assert!(text(&o).contains(says), "{filter}: {}", text(&o));
    }
    // What Falco accepts still is.
    for filter in [
        "fd.snet = 10.0.0.0/8",
        "fd.net != \"127.0.0.0/8\"",
        "proc.pid > 1",
    ] {
        let o = shrike(&["replay", p(&f), "--filter", filter]);
        assert_eq!(o.status.code(), Some(0), "{filter}: {}", text(&o));
    }
}

#[test]
fn a_process_running_from_a_sealed_memfd_is_labelled_not_called_deleted() {
    // What sandboxes and container runtimes run (memfd:sealed-..., runc's
    // cloned binary): found by the /proc snapshot, the link reads "(deleted)".
    use shrike_format::{Body, Event, Writer, WriterOptions};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("memfd.shrk");
    let snap = Event {
        ts: 1_000,
        cpu: 0,
        pid: 4242,
        tid: 4242,
        comm: b"memfd:sealed-91".to_vec(),
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        cgroup: 1,
        body: Body::ProcSnapshot {
            ppid: 1,
            exe: b"/memfd:sealed-91173221a7ea".to_vec(),
            argv: vec![b"memfd:sealed-91".to_vec()],
            cwd: b"/".to_vec(),
            start_ts: 1,
            loginuid: 0,
            sid: 0,
            tty: 0,
            cap_effective: 0,
            cap_permitted: 0,
            flags: shrike_format::EXEC_FROM_MEMFD | shrike_format::EXEC_DELETED,
            stdin_type: 0,
            stdin_ino: 0,
            stdout_type: 0,
            stdout_ino: 0,
            env: Vec::new(),
            pgid: 0,
        },
    };
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    w.append(&snap).unwrap();
    w.finish().unwrap();
    let out = String::from_utf8(shrike(&["scan", p(&f)]).stdout).unwrap();
    assert!(
        out.contains(": Notice Process running from a memfd"),
        "{out}"
    );
    assert!(!out.contains("Deleted binary"), "{out}");
}

#[test]
fn sigma_rules_run_with_sigmas_meanings() {
    use shrike_format::{Body, Event, SockAddr, Writer, WriterOptions};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("sigma.shrk");
    let exec = |pid: u32, ts: u64, argv: &[&str]| {
        let mut e = shrike_synth::exec_event(
            pid,
            ts,
            argv[0].rsplit('/').next().unwrap().as_bytes().to_vec(),
            argv[0].as_bytes().to_vec(),
            argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            b"/tmp".to_vec(),
        );
        if let Body::Execve { ppid, .. } = &mut e.body {
            *ppid = 10;
        }
        e
    };
    let mut events = vec![
        exec(10, 1_000, &["/bin/bash", "-i"]),
        // Mixed case: Sigma compares without regard to case.
        exec(11, 2_000, &["/usr/bin/Whoami"]),
        exec(
            12,
            3_000,
            &["/bin/sh", "-c", "echo Y3VybCBodHRwOi8v | base64 -d"],
        ),
        exec(
            13,
            4_000,
            &["/usr/bin/python3", "-c", "import pty;pty.spawn('/bin/sh')"],
        ),
        exec(14, 5_000, &["/usr/bin/id"]),
        exec(15, 7_000, &["/bin/bash", "-c", "true"]),
    ];
    events.push(Event {
        ts: 6_000,
        cpu: 0,
        pid: 14,
        tid: 14,
        comm: b"id".to_vec(),
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        cgroup: 1,
        body: Body::Connect {
            res: -115,
            fd: 3,
            proto: 6,
            laddr: SockAddr::None,
            raddr: SockAddr::V4 {
                ip: [10, 1, 2, 3],
                port: 4444,
            },
        },
    });
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    for e in &events {
        w.append(e).unwrap();
    }
    w.finish().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("nested")).unwrap();
    let n = std::cell::Cell::new(0);
    let rule = |name: &str, body: &str| {
        n.set(n.get() + 1);
        std::fs::write(
            rules.join("nested").join(format!("{name}.yml")),
            format!(
                "title: {name}\nid: 00000000-0000-0000-0000-0000000000{:02}\nstatus: test\n\
                 logsource:\n    product: linux\n{body}level: high\n",
                n.get()
            ),
        )
        .unwrap();
    };
    rule(
        "Discovery",
        "    category: process_creation\ndetection:\n    selection_a:\n        Image|endswith: '/whoami'\n    \
         selection_b:\n        Image|endswith: '/id'\n    filter:\n        ParentImage|endswith: '/cron'\n    \
         condition: 1 of selection_* and not filter\n",
    );
    rule(
        "Pty upgrade",
        "    category: process_creation\ndetection:\n    selection:\n        CommandLine|contains|all:\n            \
         - 'import pty'\n            - 'spawn('\n    condition: selection\n",
    );
    rule(
        "Encoded curl",
        "    category: process_creation\ndetection:\n    selection:\n        CommandLine|base64offset|contains: 'curl http'\n    \
         condition: selection\n",
    );
    rule(
        "Interactive parent",
        "    category: process_creation\ndetection:\n    selection:\n        ParentCommandLine: '/BIN/BASH -I'\n        \
         CommandLine|re: 'whoami|pty'\n    condition: selection\n",
    );
    rule(
        "Private net",
        "    category: network_connection\ndetection:\n    selection:\n        Initiated: 'true'\n        \
         DestinationIp|cidr: '10.0.0.0/8'\n        DestinationPort: 4444\n    condition: selection\n",
    );
    rule(
        "Keyword",
        "    category: process_creation\ndetection:\n    keywords:\n        - 'PTY.SPAWN'\n    \
         condition: keywords\n",
    );
    rule(
        "Shell from a shell",
        "    category: process_creation\ndetection:\n    selection:\n        Image|fieldref: ParentImage\n    \
         condition: selection\n",
    );
    rule(
        "Needs a source name",
        "    category: network_connection\ndetection:\n    selection:\n        SourceHostname|endswith: '.ngrok.io'\n    \
         condition: selection\n",
    );
    let o = shrike(&["scan", p(&f), "--rules", p(&rules), "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let fired: Vec<(String, u64)> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Some((v["rule"].as_str()?.to_string(), v["pid"].as_u64()?)))
        .collect();
    // In rule order per event; `re` keeps case (Whoami is not whoami), the rest do not.
    let want = [
        ("Discovery", 11),
        ("Encoded curl", 12),
        ("Interactive parent", 13),
        ("Keyword", 13),
        ("Pty upgrade", 13),
        ("Discovery", 14),
        ("Private net", 14),
        ("Shell from a shell", 15),
    ];
    let want: Vec<(String, u64)> = want.iter().map(|(r, p)| (r.to_string(), *p)).collect();
    assert_eq!(fired, want, "{}", text(&o));
    // A rule on a field shrike does not map is not run, and says why.
    assert!(
        text(&o).contains("Needs a source name: field SourceHostname is not recorded"),
        "{}",
        text(&o)
    );
    // Levels are Falco priorities: high is Error.
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"priority\":\"Error\""));
}

#[test]
fn the_text_timeline_marks_every_alert_scan_finds_on_its_actions() {
    let dir = tempfile::tempdir().unwrap();
    // Two rules on the same events: both are named on each, as scan names both.
    let (f, rules) = capture_and_rules(
        dir.path(),
        "- rule: Kill seen\n  desc: d\n  condition: evt.type = kill\n  output: k\n  priority: NOTICE\n\
         - rule: Signal sent\n  desc: d\n  condition: evt.type = kill and evt.rawres = 0\n  output: s\n  priority: NOTICE\n",
    );
    let o = shrike(&["scan", p(&f), "--rules", p(&rules), "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o));
    let alerts = String::from_utf8_lossy(&o.stdout).lines().count();
    assert!(alerts >= 2, "the capture has kills: {alerts}");
    let o = shrike(&["timeline", p(&f), "--rules", p(&rules)]);
    assert!(o.status.success(), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("  !! ")).collect();
    assert!(
        marked.iter().all(|l| l.contains(" kill pid ")
            && (l.ends_with("!! Kill seen; Signal sent") || l.ends_with("!! Kill seen"))),
        "{:?}",
        &marked[..marked.len().min(5)]
    );
    // Every alert scan found is named on its action, both where both rules fired.
    let named: usize = marked.iter().map(|l| l.matches("; ").count() + 1).sum();
    assert_eq!(named, alerts);
    assert!(marked.iter().any(|l| l.ends_with("; Signal sent")));
}

#[test]
fn sql_tables_mark_cut_cells_and_a_bad_query_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("long.shrk");
    let long = format!("/opt/{}/payload", "x".repeat(90));
    exec_capture(&f, b"payload", &long, &[&long, "--now"]);
    let db = dir.path().join("long.db");
    let o = shrike(&["export", p(&f), "--sqlite", p(&db)]);
    assert!(o.status.success(), "{}", text(&o));
    let q = "SELECT exe, cmdline FROM commands";
    let o = shrike(&["sql", p(&db), q]);
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout).into_owned();
    let row = table.lines().nth(2).unwrap();
    // Cut, and visibly so: no cell reads as if it were whole.
    assert!(!row.contains(&long), "{table}");
    assert!(row.contains("/opt/xxx") && row.contains('…'), "{table}");
    assert!(
        table.contains("--format csv"),
        "no word on how to see cells whole: {table}"
    );
    // The same query whole, as CSV and as JSON.
    let o = shrike(&["sql", p(&db), "--format", "json", q]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["exe"], long.as_str());
    let o = shrike(&["sql", p(&db), "--format", "csv", q]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(&format!("{long} --now")));
    // A query SQLite refuses is a usage error (2), naming the database.
    let o = shrike(&["sql", p(&db), "SELECT nope FROM events"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("long.db") && err.contains("no such column: nope"),
        "{err}"
    );
}

#[test]
fn long_commands_show_progress_on_a_terminal_and_nothing_extra_elsewhere() {
    // `script` runs a command on a pseudo-terminal, as a person would.
    if Command::new("script").arg("--version").output().is_err() {
        common::cannot_run("no `script` (util-linux) to give a command a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.shrk");
    let o = shrike(&["generate", "--events", "500000", "-o", p(&f)]);
    assert!(o.status.success(), "{}", text(&o));
    let db = dir.path().join("big.db");
    let commands: [(&str, Vec<&str>); 5] = [
        ("timeline", vec!["timeline", p(&f)]),
        ("replay", vec!["replay", p(&f)]),
        ("scan", vec!["scan", p(&f)]),
        ("verify", vec!["verify", p(&f)]),
        (
            "export",
            vec!["export", p(&f), "--sqlite", p(&db), "--force"],
        ),
    ];
    let bin = env!("CARGO_BIN_EXE_shrike");
    for (what, args) in &commands {
        // On a terminal (results to a file): a bar, drawn and cleared.
        let line = format!("'{bin}' {} > /dev/null", args.join(" "));
        let o = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let seen = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{what} on a terminal: {seen}");
        assert!(
            seen.contains("[=") && (seen.contains(" events ") || seen.contains("MiB")),
            "{what} showed no progress on a terminal: {seen:?}"
        );
        // Into pipes: not a byte of it.
        let o = shrike(args);
        assert!(o.status.success(), "{what}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("[=") && !err.contains('\r') && !err.contains('\u{1b}'),
            "{what} drew progress into a pipe: {err:?}"
        );
    }
}

#[test]
fn a_crafted_user_table_cannot_rewrite_the_terminal() {
    use shrike_format::{Body, Writer, WriterOptions};
    // The header's user table is the recorded host's /etc/passwd, or a forger's.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("users.shrk");
    let mut h = shrike_synth::header(1);
    h.users = vec![(0, "root\u{1b}[2J\n2026-01-01T00:00:00Z forged".into())];
    let exec = shrike_synth::exec_event(
        7,
        2_000,
        b"sh".to_vec(),
        b"/bin/sh".to_vec(),
        vec![b"sh".to_vec()],
        b"/".to_vec(),
    );
    let mut chown = exec.clone();
    chown.ts = 3_000;
    chown.body = Body::Fchownat {
        res: 0,
        fd: -100,
        path: b"/etc/shadow".to_vec(),
        abspath: b"/etc/shadow".to_vec(),
        uid: 0,
        gid: u64::from(u32::MAX),
        flags: 0,
        resolved: 1,
    };
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &h,
        WriterOptions::default(),
    )
    .unwrap();
    w.append(&exec).unwrap();
    w.append(&chown).unwrap();
    w.finish().unwrap();
    for args in [vec!["replay", p(&f)], vec!["timeline", p(&f)]] {
        let o = shrike(&args);
        assert!(o.status.success(), "{}", text(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            !out.contains('\u{1b}'),
            "{args:?} printed a raw escape: {out:?}"
        );
        assert!(
            !out.contains("\n2026-01-01T00:00:00Z forged"),
            "{args:?} forged a line: {out:?}"
        );
        assert!(out.contains("\\x1b"), "{args:?}: {out:?}");
    }
}

/// A capture at `f` holding `exe_file` parts of one executable: `parts`
/// (offset, bytes), claimed to be `size` bytes hashing to `sha256`.
fn kept_capture(f: &Path, sha256: &str, size: u64, parts: &[(u64, &[u8])], path: &[u8]) {
    use shrike_format::{Body, Writer, WriterOptions};
    let mut w = Writer::new(
        std::fs::File::create(f).unwrap(),
        &shrike_synth::header(1),
        WriterOptions::default(),
    )
    .unwrap();
    for (i, (offset, data)) in parts.iter().enumerate() {
        let mut e = shrike_synth::exec_event(
            7,
            2_000 + i as u64,
            b"x".to_vec(),
            b"/x".to_vec(),
            vec![],
            b"/".to_vec(),
        );
        e.body = Body::ExeFile {
            sha256: sha256.as_bytes().to_vec(),
            path: path.to_vec(),
            size,
            offset: *offset,
            data: data.to_vec(),
        };
        w.append(&e).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn extract_writes_only_what_its_sha256_proves() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let content: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    let sha = shrike_format::hex(&sha2::Sha256::digest(&content));
    // Whole, in two parts given out of order, from a path with an escape sequence.
    let good = dir.path().join("good.shrk");
    kept_capture(
        &good,
        &sha,
        3000,
        &[(1000, &content[1000..]), (0, &content[..1000])],
        b"/tmp/\x1b[2Kx",
    );
    let out = dir.path().join("out");
    let o = shrike(&["extract", p(&good), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read(out.join(&sha)).unwrap(), content);
    assert!(!text(&o).contains('\u{1b}'), "{}", text(&o));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(out.join(&sha))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    // Again: the file there is not replaced.
    let o = shrike(&["extract", p(&good), "-o", p(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // A crafted capture: a part changed, a part missing, a name that is a path.
    let mut forged = content.clone();
    forged[5] ^= 1;
    for (name, sha, parts) in [
        ("changed", sha.as_str(), vec![(0u64, &forged[..])]),
        ("short", sha.as_str(), vec![(0u64, &content[..1000])]),
        ("escape", "../../etc/passwd", vec![(0u64, &content[..])]),
    ] {
        let f = dir.path().join(format!("{name}.shrk"));
        kept_capture(&f, sha, 3000, &parts, b"/x");
        let out = dir.path().join(format!("out-{name}"));
        let o = shrike(&["extract", p(&f), "-o", p(&out)]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(text(&o).contains("not written"), "{name}: {}", text(&o));
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "{name}");
    }
    assert!(!dir.path().join("etc").exists());
}
