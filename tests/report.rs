//! The HTML report in a real browser (headless Chromium): recorded values an
//! attacker chose (argv, paths, the hostname) stay text, the page's own
//! script runs under a policy without 'unsafe-inline', and nothing else does.

mod common;

use std::path::Path;
use std::process::Command;

use shrike_format::{Event, Writer, WriterOptions};

fn exec(pid: u32, ts: u64, argv: &[&[u8]], path: &[u8]) -> Event<Vec<u8>> {
    shrike_synth::exec_event(
        pid,
        ts,
        b"<img src=x onerror=alert(1)>".to_vec(),
        path.to_vec(),
        argv.iter().map(|a| a.to_vec()).collect(),
        b"/tmp/</script><script>document.title='owned'</script>".to_vec(),
    )
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn hostile_values_stay_text_and_only_the_pages_own_script_runs() {
    let Some(browser) = chromium() else {
        common::cannot_run("no chromium to render the report (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("hostile__DATA__.shrk");
    let mut h = shrike_synth::header(1);
    h.hostname = "<svg onload=alert(1)>".into();
    let mut w = Writer::new(
        std::fs::File::create(&f).unwrap(),
        &h,
        WriterOptions::default(),
    )
    .unwrap();
    let argvs: [&[&[u8]]; 3] = [
        &[b"/bin/true", b"<!--<script>"],
        &[
            b"sh",
            b"-c",
            b"</script><script>document.body.innerHTML=''</script>",
        ],
        &[b"x", "\u{2028}';alert(1);//".as_bytes(), b"&lt;b&gt;"],
    ];
    for (i, argv) in argvs.iter().enumerate() {
        let pid = 100 + i as u32;
        w.append(&exec(
            pid,
            1_000 * (i as u64 + 1),
            argv,
            b"/tmp/<b>bold</b>",
        ))
        .unwrap();
    }
    w.finish().unwrap();
    let html = dir.path().join("report.html");
    let o = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(["timeline", f.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::write(&html, &o.stdout).unwrap();
    let dom = render(browser, dir.path(), &html);
    // The page script ran (its hash is in the policy) and built every row.
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page script did not finish"
    );
    assert!(
        dom.matches("<details").count() >= 3,
        "the three processes are in the tree"
    );
    // Nothing recorded became markup: no element the values name exists,
    // and the title is the page's own.
    for injected in [
        "<img src=\"x\"",
        "<svg onload",
        "<b>bold</b>",
        "owned</title>",
    ] {
        assert!(!dom.contains(injected), "{injected} became markup");
    }
    assert!(
        dom.contains("&lt;!--&lt;script&gt;"),
        "the argv is shown as text"
    );

    // The same page with 'unsafe-inline' dropped and the hash wrong would
    // not run: a page whose script was changed after rendering stays blank.
    let tampered =
        String::from_utf8(o.stdout)
            .unwrap()
            .replacen("\"use strict\";", "\"use strict\"; ", 1);
    std::fs::write(&html, tampered).unwrap();
    let dom = render(browser, dir.path(), &html);
    assert!(
        !dom.contains("data-ready=\"1\""),
        "a script the policy does not name ran"
    );
}

/// The DOM Chromium builds from `page`.
fn render(browser: &str, dir: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}
