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

/// `shrike ARGS`, which must succeed; its standard output.
fn run(args: &[&str]) -> Vec<u8> {
    let o = Command::new(env!("CARGO_BIN_EXE_shrike"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "shrike {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// A synthetic capture `NAME.shrk` of `events` events in `dir`, and the
/// default rules' directory.
fn generated(dir: &Path, name: &str, events: u64) -> (String, String) {
    let f = dir
        .join(format!("{name}.shrk"))
        .to_str()
        .unwrap()
        .to_string();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    run(&["generate", "--events", &events.to_string(), "-o", &f]);
    (f, rules.to_str().unwrap().to_string())
}

/// Chromium's picture of `page`, kept where CI keeps artifacts.
fn screenshot(browser: &str, dir: &Path, page: &Path, name: &str) {
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let profile = tempfile::tempdir_in(dir).unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shots.join(name).display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(shots.join(name).exists(), "no screenshot: {o:?}");
}

/// The rule names of the rows of the rendered table `id`.
fn table_rules(dom: &str, id: &str, rule_column: usize) -> Vec<String> {
    let table = dom
        .split(&format!("<table id=\"{id}\">"))
        .nth(1)
        .unwrap_or_else(|| panic!("no table {id}"))
        .split("</table>")
        .next()
        .unwrap();
    let body = table.split("<tbody>").nth(1).unwrap();
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td").nth(rule_column + 1).unwrap();
            let text = cell
                .split_once('>')
                .unwrap()
                .1
                .split("</td>")
                .next()
                .unwrap();
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
        })
        .collect()
}

#[test]
fn scan_every_timeline_format_and_the_report_show_the_same_alerts() {
    let Some(browser) = chromium() else {
        common::cannot_run("no chromium to render the report (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (f, rules) = generated(dir.path(), "small", 30_000);
    let (f, rules) = (f.as_str(), rules.as_str());
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let scan: Vec<String> =
        String::from_utf8(run(&["scan", f, "--rules", rules, "--format", "json"]))
            .unwrap()
            .lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["rule"].as_str().map(str::to_string)
            })
            .collect();
    assert!(
        scan.len() > 50,
        "the synthetic capture raises alerts: {}",
        scan.len()
    );
    let scan = sorted(scan);
    let timeline = |format: &str| {
        String::from_utf8(run(&["timeline", f, "--rules", rules, "--format", format])).unwrap()
    };
    // Text: the rules after `!!` on each action.
    let text: Vec<String> = timeline("text")
        .lines()
        .filter_map(|l| l.split_once("  !! ").map(|(_, r)| r.to_string()))
        .flat_map(|r| r.split("; ").map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert_eq!(sorted(text), scan, "text timeline");
    // JSON: each action's alerts.
    let json: Vec<String> = timeline("json")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .flat_map(|p| p["actions"].as_array().cloned().unwrap_or_default())
        .flat_map(|a| a["alerts"].as_array().cloned().unwrap_or_default())
        .map(|m| m["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sorted(json), scan, "json timeline");
    // Timesketch JSONL: an alert row each, tagged, and its event tagged too.
    let rows: Vec<serde_json::Value> = timeline("timesketch-jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alert_rows: Vec<&serde_json::Value> =
        rows.iter().filter(|r| r["kind"] == "alert").collect();
    assert!(
        alert_rows
            .iter()
            .all(|r| r["tag"][0] == "alert" && r["timestamp_desc"] == "shrike alert")
    );
    assert!(
        rows.iter()
            .any(|r| r["kind"] != "alert" && r["tag"][0] == "alert")
    );
    let jsonl: Vec<String> = alert_rows
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sorted(jsonl), scan, "timesketch-jsonl");
    // Timesketch CSV: the same rows; tags a JSON list Timesketch reads as one.
    let csv_text = timeline("timesketch-csv");
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header = r.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (kind, rule, tag) = (col("kind"), col("rule"), col("tag"));
    let csv: Vec<String> = r
        .records()
        .map(|rec| rec.unwrap())
        .filter(|rec| &rec[kind] == "alert")
        .inspect(|rec| assert!(rec[tag].starts_with("[\"alert\","), "{rec:?}"))
        .map(|rec| rec[rule].to_string())
        .collect();
    assert_eq!(sorted(csv), scan, "timesketch-csv");
    // The report: its alert list, rendered, holds every one.
    let html = dir.path().join("small.html");
    std::fs::write(&html, timeline("html")).unwrap();
    let dom = render(browser, dir.path(), &html);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page script did not finish"
    );
    assert_eq!(
        sorted(table_rules(&dom, "alerts", 2)),
        scan,
        "html alert list"
    );
    // Each alert links to its process, found in the tree when followed.
    assert!(
        dom.matches("<a class=\"proc\"").count() >= scan.len(),
        "alerts link their processes"
    );
    // Following an alert's process link opens the tree down to that process.
    let data: serde_json::Value = {
        let page = std::fs::read_to_string(&html).unwrap();
        let json = page
            .split("<script id=\"data\" type=\"application/json\">")
            .nth(1)
            .unwrap()
            .split("</script>")
            .next()
            .unwrap();
        serde_json::from_str(json).unwrap()
    };
    let p = data["alerts"][0]["p"].as_u64().unwrap();
    let linked = dir.path().join(format!("small.html#p={p}"));
    let dom = render(browser, dir.path(), &linked);
    let node = dom
        .split(&format!("<details id=\"p{p}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no node for process {p}"))
        .split('>')
        .next()
        .unwrap();
    assert!(
        node.contains("open") && node.contains("hl"),
        "process {p} is not opened and marked: <details{node}"
    );
    screenshot(browser, dir.path(), &html, "small.png");
}

#[test]
fn a_million_event_report_is_small_and_shows_alerts_time_and_network() {
    let Some(browser) = chromium() else {
        common::cannot_run("no chromium to render the report (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (f, rules) = generated(dir.path(), "large", 1_000_000);
    let (f, rules) = (f.as_str(), rules.as_str());
    let page = run(&["timeline", f, "--rules", rules, "--format", "html"]);
    let mb = page.len() as f64 / 1e6;
    assert!(mb <= 25.0, "the 1 M-event report is {mb:.1} MB");
    let html = dir.path().join("large.html");
    std::fs::write(&html, &page).unwrap();
    let started = std::time::Instant::now();
    let dom = render(browser, dir.path(), &html);
    // Reported, not asserted: timings belong to benchmarks (scripts/bench-report).
    let ms = dom
        .split("data-ms=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("?");
    eprintln!(
        "1 M-event report: {mb:.1} MB, script done {ms} ms after load, Chromium {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page script did not finish"
    );
    // Alerts listed (up to the page's budget), the total said.
    let listed = table_rules(&dom, "alerts", 2).len();
    assert!(listed > 1000, "{listed} alerts listed");
    assert!(
        dom.contains("the first 10,000 listed") || listed < 10_000,
        "the cut is not said"
    );
    // A time axis with labels, and alert marks that are not one red wall.
    let ticks = dom.matches("class=\"tick\"").count();
    assert!(ticks >= 5, "{ticks} time labels");
    assert!(dom.contains("class=\"alertmark\""));
    // The network summary: connections per process and address.
    let net = table_rules(&dom, "network", 2);
    assert!(net.len() > 100, "{} network rows", net.len());
    assert!(
        net.iter().any(|a| a.contains(':')),
        "addresses: {:?}",
        &net[..3]
    );
    // The tree folds what did nothing, and the busy processes say what they hid.
    assert!(dom.contains("actions not shown") && dom.contains("library loads folded"));
    screenshot(browser, dir.path(), &html, "large.png");
}

#[test]
fn a_report_narrowed_to_one_process_tree_renders() {
    let Some(browser) = chromium() else {
        common::cannot_run("no chromium to render the report (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (f, rules) = generated(dir.path(), "narrow", 20_000);
    // cron's tree: the rest of the host (its connections too) is left out.
    let page = run(&[
        "timeline", &f, "--pid", "540", "--rules", &rules, "--format", "html",
    ]);
    let html = dir.path().join("narrow.html");
    std::fs::write(&html, &page).unwrap();
    let dom = render(browser, dir.path(), &html);
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page script did not finish"
    );
    assert!(dom.contains("/usr/sbin/cron"), "cron is in the tree");
}
