//! Export into a real SQLite file and query it back: several captures in one
//! database, idempotent re-export, referential integrity, and every example
//! query of docs/sql.md.

use std::path::Path;

use shrike_export_sql::{Cell, export, query};
use shrike_format::{Capture, Writer, WriterOptions};

fn synthetic(seed: u64, events: u64) -> Capture {
    let mut w = Writer::new(
        Vec::new(),
        &shrike_synth::header(seed),
        WriterOptions {
            chunk_events: 5000,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    for e in shrike_synth::Generator::new(seed, events) {
        w.append(&e).unwrap();
    }
    Capture::from_bytes(w.finish().unwrap().0).unwrap()
}

/// A capture of `events`, as written, with synthetic header `seed`.
fn capture_of(seed: u64, events: &[shrike_format::OwnedEvent]) -> Capture {
    let mut w = Writer::new(
        Vec::new(),
        &shrike_synth::header(seed),
        WriterOptions::default(),
    )
    .unwrap();
    events.iter().for_each(|e| w.append(e).unwrap());
    Capture::from_bytes(w.finish().unwrap().0).unwrap()
}

/// Runs `sql` on `db` with sqlx itself, as someone else might: `shrike sql` only reads.
fn write(db: &Path, sql: &'static str) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            use sqlx::{Connection, Executor};
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            c.execute(sql).await.unwrap();
        });
}

fn one(db: &Path, sql: &str) -> i64 {
    match &query(db, sql).unwrap().1[0][0] {
        Cell::Int(i) => *i,
        other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn several_captures_one_database_idempotent_and_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let caps = [synthetic(1, 20_000), synthetic(2, 15_000)];
    let names = ["a.shrk".to_string(), "b.shrk".to_string()];
    let s = export(&db, &names, &caps, &[]).unwrap();
    assert_eq!(s.exported.len(), 2);
    assert_eq!(one(&db, "SELECT count(*) FROM captures"), 2);
    assert_eq!(one(&db, "SELECT count(*) FROM events"), 35_000);
    let rows_before = one(
        &db,
        "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM processes) + (SELECT count(*) FROM files) + (SELECT count(*) FROM network)",
    );
    // Exporting the same captures again changes nothing.
    let s = export(&db, &names, &caps, &[]).unwrap();
    assert_eq!((s.exported.len(), s.already.len()), (0, 2));
    assert_eq!(
        rows_before,
        one(
            &db,
            "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM processes) + (SELECT count(*) FROM files) + (SELECT count(*) FROM network)"
        )
    );
    // Every event's process exists, and every foreign key holds.
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM events e LEFT JOIN processes p USING (process_id) WHERE p.process_id IS NULL"
        ),
        0
    );
    assert!(query(&db, "PRAGMA foreign_key_check").unwrap().1.is_empty());
    // Events of each capture point at that capture's processes.
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM events e JOIN processes p USING (process_id) WHERE p.capture_id != e.capture_id"
        ),
        0
    );
    // Per-capture counts match the files.
    assert_eq!(
        one(&db, "SELECT events FROM captures WHERE file = 'b.shrk'"),
        15_000
    );
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM events WHERE capture_id = (SELECT capture_id FROM captures WHERE file = 'b.shrk')"
        ),
        15_000
    );
}

#[test]
fn every_documented_query_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("docs.db");
    export(&db, &["s.shrk".into()], &[synthetic(3, 30_000)], &[]).unwrap();
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sql.md"))
        .unwrap();
    let mut n = 0;
    for block in doc.split("```sql").skip(1) {
        let sql = block.split("```").next().unwrap().trim();
        let (cols, _) = query(&db, sql).unwrap_or_else(|e| panic!("{sql}\n{e}"));
        assert!(!cols.is_empty(), "{sql} has no columns");
        n += 1;
    }
    assert!(n >= 12, "docs/sql.md has {n} queries");
    // A bad query reports SQLite's message.
    let err = query(&db, "SELECT nope FROM events")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no such column: nope"), "{err}");
}

#[test]
fn a_database_of_another_schema_version_is_refused_not_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let caps = [synthetic(3, 2_000)];
    export(&db, &["a.shrk".to_string()], &caps, &[]).unwrap();
    // Exporting again into a database this version wrote is fine.
    export(&db, &["a.shrk".to_string()], &caps, &[]).unwrap();
    // One an older shrike wrote (another user_version) is not touched.
    write(&db, "PRAGMA user_version = 1");
    let err = export(&db, &["b.shrk".to_string()], &[synthetic(4, 2_000)], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("schema version 1"), "{err}");
    assert_eq!(one(&db, "SELECT count(*) FROM captures"), 1);
}

#[test]
fn file_rows_say_which_paths_are_the_kernels_and_hold_the_new_file_kinds() {
    use shrike_format::{Body, Event};
    let ev = |ts: u64, body| Event {
        ts,
        cpu: 0,
        pid: 7,
        tid: 7,
        comm: b"sh".to_vec(),
        uid: 0,
        gid: 0,
        euid: 0,
        egid: 0,
        cgroup: 1,
        body,
    };
    let open = |ts, path: &str, abspath: &str, res, resolved| {
        ev(
            ts,
            Body::Openat {
                res,
                dirfd: -100,
                path: path.into(),
                abspath: abspath.into(),
                flags: 0,
                mode: 0,
                resolved,
                created: 0,
            },
        )
    };
    let events = [
        open(10, "lnk/../target.txt", "/w/sub/target.txt", 3, 1),
        open(20, "lnk/../missing.txt", "/w/missing.txt", -2, 0),
        ev(
            30,
            Body::Setxattr {
                res: 0,
                fd: -100,
                path: b"capfile".to_vec(),
                abspath: b"/w/capfile".to_vec(),
                name: b"security.capability".to_vec(),
                value: vec![1, 0, 0, 2, 0x80, 0, 0, 0],
                size: 20,
                flags: 0,
                cap_magic: 0x0200_0001,
                cap_permitted: 0x80,
                cap_inheritable: 0,
                cap_rootid: 0,
                resolved: 0,
            },
        ),
        ev(
            40,
            Body::Ioctl {
                res: 0,
                fd: 3,
                abspath: b"/w/capfile".to_vec(),
                request: 0x4008_6602,
                flags: 0x10,
                resolved: 1,
            },
        ),
    ];
    let cap = capture_of(5, &events);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("files.db");
    export(&db, &["w.shrk".to_string()], &[cap], &[]).unwrap();
    let (_, rows) = query(
        &db,
        "SELECT operation, path, resolved, flags FROM files ORDER BY event_id",
    )
    .unwrap();
    let got: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    assert_eq!(
        got,
        [
            r#"[Text("openat"), Text("/w/sub/target.txt"), Int(1), Int(0)]"#,
            r#"[Text("openat"), Text("/w/missing.txt"), Int(0), Int(0)]"#,
            r#"[Text("setxattr"), Text("/w/capfile"), Int(0), Int(0)]"#,
            r#"[Text("ioctl"), Text("/w/capfile"), Int(1), Int(16)]"#,
        ]
    );
    assert_eq!(
        one(
            &db,
            "SELECT json_extract(detail, '$.cap_permitted') FROM events WHERE kind = 'setxattr'"
        ),
        0x80
    );
}

#[test]
fn shrike_sql_only_reads_and_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evidence.db");
    export(&db, &["a.shrk".to_string()], &[synthetic(3, 2_000)], &[]).unwrap();
    let events = one(&db, "SELECT count(*) FROM events");
    let copy = dir.path().join("copy.db");
    let other = dir.path().join("other.db");
    for sql in [
        "UPDATE event_rows SET comm = 'x'".to_string(),
        "DELETE FROM event_rows".to_string(),
        "DROP TABLE alerts".to_string(),
        "CREATE TABLE planted (x)".to_string(),
        format!("VACUUM INTO '{}'", copy.display()),
        format!("ATTACH DATABASE '{}' AS other", other.display()),
        "SELECT 1; DROP TABLE alerts".to_string(),
    ] {
        // Refused by shrike before it runs, or (ATTACH of a new file) by the
        // read-only connection: either way nothing is written.
        assert!(query(&db, &sql).is_err(), "{sql} was run");
    }
    assert!(!copy.exists() && !other.exists(), "a file was written");
    assert_eq!(one(&db, "SELECT count(*) FROM events"), events);
    assert_eq!(
        one(
            &db,
            "SELECT count(*) FROM sqlite_master WHERE name = 'alerts'"
        ),
        1
    );
}

#[test]
fn export_writes_only_a_database_of_its_own_making() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let caps = [synthetic(5, 1_000)];
    let names = ["a.shrk".to_string()];
    // A new database is the caller's alone, like a capture.
    let db = dir.path().join("new.db");
    export(&db, &names, &caps, &[]).unwrap();
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "new database mode {mode:o}");
    // A symlink planted at the output path is not followed.
    let target = dir.path().join("elsewhere.db");
    let link = dir.path().join("planted.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = export(&link, &names, &caps, &[]).unwrap_err().to_string();
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!target.exists(), "the export followed the planted link");
    // A database with a trigger (or any object shrike did not create) is refused.
    write(
        &db,
        "CREATE TRIGGER swallow AFTER INSERT ON alerts BEGIN DELETE FROM alerts; END",
    );
    let err = export(&db, &["b.shrk".to_string()], &[synthetic(6, 1_000)], &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("trigger `swallow`"), "{err}");
    assert_eq!(one(&db, "SELECT count(*) FROM captures"), 1);
}

/// A `dns` event's body: a query for `name` (type A) sent, or its response
/// received with `answer`, to and from 192.0.2.53:53.
fn dns_event(dir: u64, name: &[u8], answer: Option<[u8; 4]>) -> shrike_format::Body<Vec<u8>> {
    let mut m = vec![
        0x12,
        0x34,
        if dir == 2 { 0x81 } else { 1 },
        if dir == 2 { 0x80 } else { 0 },
    ];
    m.extend_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
    for l in name.split(|&c| c == b'.') {
        m.push(l.len() as u8);
        m.extend_from_slice(l);
    }
    m.extend_from_slice(&[0, 0, 1, 0, 1]);
    if let Some(ip) = answer {
        m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        m.extend_from_slice(&ip);
    }
    shrike_format::Body::Dns {
        res: m.len() as i64,
        fd: 5,
        syscall: if dir == 2 { 0 } else { 1 },
        dir,
        proto: 17,
        laddr: shrike_format::SockAddr::V4 {
            ip: [10, 0, 0, 5],
            port: 50000,
        },
        raddr: shrike_format::SockAddr::V4 {
            ip: [192, 0, 2, 53],
            port: 53,
        },
        len: m.len() as u64,
        data: m,
    }
}

/// The query docs/sql.md gives under the question that starts with `question`.
fn doc_query(question: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/sql.md"))
        .unwrap();
    let at = doc
        .find(question)
        .unwrap_or_else(|| panic!("docs/sql.md asks no {question:?}"));
    let block = doc[at..].split("```sql").nth(1).unwrap();
    block.split("```").next().unwrap().trim().to_string()
}

fn texts(db: &Path, sql: &str) -> Vec<Vec<String>> {
    query(db, sql)
        .unwrap_or_else(|e| panic!("{sql}\n{e}"))
        .1
        .into_iter()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

#[test]
fn which_commands_ran_shows_each_exec_with_its_own_command_line_and_its_parents_then() {
    // init starts a shell (pid 100) that runs a script, then execs ls: the
    // process row's command line is its latest (ls), but each exec ran its own.
    let e = |pid, ts, path: &str, argv: &[&str]| {
        let mut e = shrike_synth::exec_event(
            pid,
            ts,
            path.rsplit('/').next().unwrap().as_bytes().to_vec(),
            path.as_bytes().to_vec(),
            argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            b"/".to_vec(),
        );
        if let shrike_format::Body::Execve { ppid, .. } = &mut e.body {
            *ppid = if pid == 1 { 0 } else { 1 };
        }
        e
    };
    let events = [
        e(1, 1_000, "/sbin/init", &["/sbin/init"]),
        e(100, 2_000, "/bin/sh", &["sh", "-c", "./job; ls -l"]),
        e(100, 3_000, "/bin/ls", &["ls", "-l"]),
    ];
    let cap = capture_of(7, &events);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    export(&db, &["c.shrk".into()], &[cap], &[]).unwrap();
    let rows = texts(&db, &doc_query("Which commands ran"));
    let commands: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        commands,
        ["/sbin/init", "sh -c ./job; ls -l", "ls -l"],
        "{rows:?}"
    );
    assert_eq!(rows[1][3], "/sbin/init", "the shell's parent: {rows:?}");
}

#[test]
fn a_capture_exported_while_it_was_recorded_is_completed_by_a_later_export() {
    let full = {
        let mut w = Writer::new(
            Vec::new(),
            &shrike_synth::header(11),
            WriterOptions {
                chunk_events: 2000,
                ..WriterOptions::default()
            },
        )
        .unwrap();
        for e in shrike_synth::Generator::new(11, 20_000) {
            w.append(&e).unwrap();
        }
        w.finish().unwrap().0
    };
    let whole = Capture::from_bytes(full.clone()).unwrap();
    // What a reader saw mid-recording: the header and the first chunks, no footer.
    let cut = whole.chunks()[4].offset as usize;
    let partial = Capture::from_bytes(full[..cut].to_vec()).unwrap();
    assert!(partial.event_count() < whole.event_count());
    let dir = tempfile::tempdir().unwrap();
    let grown = dir.path().join("grown.db");
    let names = ["live.shrk".to_string()];
    export(&grown, &names, &[partial], &[]).unwrap();
    let s = export(&grown, &names, &[whole], &[]).unwrap();
    assert_eq!(
        s.already,
        Vec::<String>::new(),
        "the grown capture was left as it was"
    );
    assert_eq!(s.exported, names);
    // The database now holds exactly what one export of the finished capture holds.
    let fresh = dir.path().join("fresh.db");
    export(&fresh, &names, &[Capture::from_bytes(full).unwrap()], &[]).unwrap();
    for sql in [
        "SELECT count(*) FROM captures",
        "SELECT events FROM captures",
        "SELECT count(*) FROM events",
        "SELECT count(*) FROM processes",
        "SELECT count(*) FROM files",
        "SELECT count(*) FROM network",
        "SELECT count(*) FROM commands",
    ] {
        assert_eq!(one(&grown, sql), one(&fresh, sql), "{sql}");
    }
    assert!(
        query(&grown, "PRAGMA foreign_key_check")
            .unwrap()
            .1
            .is_empty()
    );
    assert_eq!(
        one(
            &grown,
            "SELECT count(*) FROM events e LEFT JOIN processes p USING (process_id) WHERE p.process_id IS NULL OR p.capture_id != e.capture_id"
        ),
        0
    );
}

#[test]
fn an_export_leaves_no_journal_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("j.db");
    export(&db, &["a.shrk".into()], &[synthetic(4, 3_000)], &[]).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["j.db"]);
}

#[test]
fn documented_queries_answer_their_questions_on_known_rows() {
    use shrike_format::{Body, SockAddr};
    // A shell (pid 100, started by init) runs `cat /etc/shadow` (pid 101),
    // writes and deletes /tmp/drop, connects out twice, listens on 8080,
    // fails to open a missing file, and ends with status 2.
    let exec = |pid: u32, ts: u64, ppid: u64, path: &str, argv: &[&str]| {
        let mut e = shrike_synth::exec_event(
            pid,
            ts,
            path.rsplit('/').next().unwrap().as_bytes().to_vec(),
            path.as_bytes().to_vec(),
            argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            b"/root".to_vec(),
        );
        if let Body::Execve { ppid: p, .. } = &mut e.body {
            *p = ppid;
        }
        e
    };
    let with = |pid: u32, ts: u64, body: Body<Vec<u8>>| {
        let mut e = exec(pid, ts, 1, "/bin/sh", &["sh"]);
        e.body = body;
        e
    };
    let open = |ts, path: &str, flags: u64, res: i64| {
        with(
            if path == "/etc/shadow" { 101 } else { 100 },
            ts,
            Body::Openat {
                res,
                dirfd: -100,
                path: path.as_bytes().to_vec(),
                abspath: path.as_bytes().to_vec(),
                resolved: 1,
                flags,
                mode: 0o644,
                created: 0,
            },
        )
    };
    let connect = |ts, last: u8, port: u16| {
        with(
            100,
            ts,
            Body::Connect {
                res: 0,
                fd: 3,
                proto: 6,
                laddr: SockAddr::V4 {
                    ip: [10, 0, 0, 5],
                    port: 40000,
                },
                raddr: SockAddr::V4 {
                    ip: [203, 0, 113, last],
                    port,
                },
            },
        )
    };
    let events = [
        exec(1, 1_000, 0, "/sbin/init", &["/sbin/init"]),
        exec(100, 2_000, 1, "/bin/bash", &["bash", "-i"]),
        exec(101, 3_000, 100, "/bin/cat", &["cat", "/etc/shadow"]),
        open(4_000, "/etc/shadow", 0, 3),
        with(
            101,
            5_000,
            Body::ProcExit {
                code: 0,
                signal: 0,
                group_dead: 1,
            },
        ),
        open(6_000, "/tmp/drop", 0o1101, 3),
        with(
            100,
            7_000,
            Body::Unlinkat {
                res: 0,
                dirfd: -100,
                path: b"/tmp/drop".to_vec(),
                abspath: b"/tmp/drop".to_vec(),
                flags: 0,
                resolved: 1,
            },
        ),
        // It resolves c2.example.net (a query, then the answer 203.0.113.9).
        with(100, 7_400, dns_event(1, b"c2.example.net", None)),
        with(
            100,
            7_500,
            dns_event(2, b"c2.example.net", Some([203, 0, 113, 9])),
        ),
        connect(8_000, 9, 443),
        // The connection's socket, closed: 5 MB out, 300 bytes back.
        with(
            100,
            8_200,
            Body::FdIo {
                fd: 3,
                fdtype: shrike_format::fdtype::SOCKET,
                path: Vec::new(),
                proto: 6,
                laddr: SockAddr::V4 {
                    ip: [10, 0, 0, 5],
                    port: 40000,
                },
                raddr: SockAddr::V4 {
                    ip: [203, 0, 113, 9],
                    port: 443,
                },
                read: 300,
                written: 5_000_000,
                reads: 1,
                writes: 40,
                until: 1,
            },
        ),
        connect(8_500, 9, 443),
        connect(8_700, 7, 22),
        with(
            100,
            9_000,
            Body::Listen {
                res: 0,
                fd: 4,
                backlog: 5,
                proto: 6,
                laddr: SockAddr::V4 {
                    ip: [0, 0, 0, 0],
                    port: 8080,
                },
            },
        ),
        open(9_500, "/nonexistent", 0, -2),
        // The recorder names a container, and a program runs in it.
        {
            let mut e = with(
                1,
                9_600,
                Body::Container {
                    cgroup: 77,
                    id: b"c0ffee".repeat(11)[..64].to_vec(),
                    runtime: b"docker".to_vec(),
                    name: b"web".to_vec(),
                    image: b"nginx:1.27".to_vec(),
                    privileged: 1,
                    pod: Vec::new(),
                    namespace: Vec::new(),
                },
            );
            e.cgroup = 0;
            e
        },
        {
            let mut e = exec(
                102,
                9_700,
                1,
                "/usr/sbin/nginx",
                &["nginx", "-g", "daemon off;"],
            );
            e.cgroup = 77;
            e
        },
        with(
            100,
            10_000,
            Body::ProcExit {
                code: 2,
                signal: 0,
                group_dead: 1,
            },
        ),
    ];
    let cap = capture_of(3, &events);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("known.db");
    export(&db, &["known.shrk".into()], &[cap], &[]).unwrap();
    let ask = |question: &str| texts(&db, &doc_query(question));
    let column = |rows: &[Vec<String>], i: usize| -> Vec<String> {
        rows.iter().map(|r| r[i].clone()).collect()
    };

    let created = ask("Which files did an open create");
    assert!(created.is_empty(), "no open created a file: {created:?}");
    let ran = ask("What ran in each container");
    assert_eq!(ran.len(), 1, "{ran:?}");
    assert_eq!(
        (
            ran[0][1].as_str(),
            ran[0][2].as_str(),
            ran[0][3].as_str(),
            ran[0][5].as_str()
        ),
        ("web", "nginx:1.27", "1", "nginx -g daemon off;")
    );
    let written = ask("Which files did anything write?");
    assert_eq!(column(&written, 0), ["/tmp/drop"], "{written:?}");
    let shadow = ask("Who read /etc/shadow");
    assert_eq!(
        (shadow.len(), shadow[0][2].as_str(), shadow[0][4].as_str()),
        (1, "cat /etc/shadow", "/etc/shadow")
    );
    let deleted = ask("What was deleted?");
    assert_eq!(column(&deleted, 2), ["/tmp/drop"], "{deleted:?}");
    assert_eq!(column(&deleted, 1), ["bash -i"], "{deleted:?}");
    let out = ask("Every outbound connection");
    assert_eq!(
        column(&out, 2),
        ["203.0.113.9", "203.0.113.9", "203.0.113.7"],
        "{out:?}"
    );
    let most = ask("Which remote addresses were contacted most?");
    assert_eq!(most[0][..3], ["203.0.113.9", "443", "2"], "{most:?}");
    let listening = ask("Which processes listened on a port?");
    assert_eq!(
        (listening.len(), listening[0][3].as_str()),
        (1, "8080"),
        "{listening:?}"
    );
    let resolved = ask("Which names did each process resolve");
    assert_eq!(
        resolved,
        [[
            "c2.example.net",
            "A",
            "NOERROR",
            "203.0.113.9",
            "100",
            "bash -i"
        ]],
        "{resolved:?}"
    );
    let named = ask("Which connections went to an address a lookup gave");
    assert_eq!(
        named
            .iter()
            .map(|r| (r[3].as_str(), r[5].as_str()))
            .collect::<Vec<_>>(),
        [
            ("203.0.113.9", "c2.example.net"),
            ("203.0.113.9", "c2.example.net"),
            ("203.0.113.7", "NULL")
        ],
        "{named:?}"
    );
    let sent = ask("How much did each process send to each remote address");
    assert_eq!(
        sent,
        [["100", "bash -i", "203.0.113.9", "443", "5000000", "300"]],
        "{sent:?}"
    );
    let failed = ask("Which syscalls failed");
    assert_eq!(failed, [["openat", "-2", "1"]], "{failed:?}");
    // An open that made a new file says so.
    let mut new_file = open(1_000, "/tmp/new", 0o101, 3);
    if let Body::Openat { created, .. } = &mut new_file.body {
        *created = 1;
    }
    let cap2 = capture_of(
        4,
        &[exec(100, 500, 1, "/bin/bash", &["bash", "-i"]), new_file],
    );
    let db2 = dir.path().join("created.db");
    export(&db2, &["c.shrk".into()], &[cap2], &[]).unwrap();
    let created = texts(&db2, &doc_query("Which files did an open create"));
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(
        (created[0][1].as_str(), created[0][2].as_str()),
        ("bash -i", "/tmp/new")
    );
    let children = ask("The children of every shell");
    assert_eq!(column(&children, 3), ["cat /etc/shadow"], "{children:?}");
    let bad = ask("Processes that ended badly");
    assert_eq!(
        (bad.len(), bad[0][1].as_str(), bad[0][2].as_str()),
        (1, "bash -i", "2"),
        "{bad:?}"
    );
    let busiest = ask("Busiest processes");
    assert_eq!(
        (busiest[0][1].as_str(), busiest[0][3].as_str()),
        ("bash -i", "connect"),
        "{busiest:?}"
    );
    let holds = ask("What each capture holds");
    assert_eq!(
        (holds[0][4].as_str(), holds[0][6].as_str()),
        ("18", "4"),
        "{holds:?}"
    );
}
