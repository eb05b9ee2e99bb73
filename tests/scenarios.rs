//! Every default rule against a re-enactment of what it detects
//! (testdata/scenarios/*.sh, harmless, loopback or private namespaces only):
//! each scenario is recorded on the real kernel and scanned with the built-in
//! rules. `# expect: RULE` must fire; `# expect-quiet: PRIORITY` means no alert
//! at or above that priority; `# expect-sigma: TITLE` must fire when the
//! capture is scanned with SigmaHQ's Linux rules, unchanged
//! (`../shared/compat/sigma/rules/linux`). Root only; with CI=true a machine
//! that cannot record, or lacks the Sigma rules, fails.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::ebpf_usable;

const BIN: &str = env!("CARGO_BIN_EXE_shrike");

fn priority_rank(p: &str) -> usize {
    [
        "emergency",
        "alert",
        "critical",
        "error",
        "warning",
        "notice",
        "informational",
        "debug",
    ]
    .iter()
    .position(|x| x.eq_ignore_ascii_case(p))
    .unwrap_or_else(|| panic!("unknown priority {p}"))
}

/// SigmaHQ's Linux rules; `None` (SKIPPED) when missing outside CI.
fn sigma_dir() -> Option<PathBuf> {
    common::shared::shared("compat/sigma/rules/linux")
}

/// Records and scans one scenario; returns what went wrong, if anything.
fn run(script: &Path, dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(script).unwrap();
    let name = script.file_name().unwrap().to_string_lossy().to_string();
    let file = dir.join(format!("{name}.shrk"));
    let o = Command::new(BIN)
        .args([
            "record",
            "-o",
            file.to_str().unwrap(),
            "--follow",
            "--",
            "sh",
            script.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    // shrike record exits as the scenario did: a failed scenario re-enacted nothing for sure.
    if !o.status.success() {
        return Err(format!(
            "{name}: recording the scenario ended with status {:?}: {}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let o = Command::new(BIN)
        .args(["scan", "--format", "json", file.to_str().unwrap()])
        .output()
        .unwrap();
    if !o.status.success() {
        return Err(format!(
            "{name}: scan failed: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    let alerts: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let fired: Vec<String> = alerts
        .iter()
        .map(|a| {
            format!(
                "{} ({})",
                a["rule"].as_str().unwrap(),
                a["priority"].as_str().unwrap()
            )
        })
        .collect();
    let sigma: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect-sigma: "))
        .map(str::trim)
        .collect();
    if !sigma.is_empty()
        && let Some(rules) = sigma_dir()
    {
        let o = Command::new(BIN)
            .args(["scan", "--format", "json", "--rules"])
            .arg(&rules)
            .arg(&file)
            .output()
            .unwrap();
        if !o.status.success() {
            return Err(format!(
                "{name}: the Sigma scan failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        let fired: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|a| a["rule"].as_str().map(str::to_string))
            .collect();
        for want in sigma {
            if !fired.iter().any(|f| f == want) {
                return Err(format!(
                    "{name}: Sigma rule {want:?} did not fire; Sigma alerts: {fired:?}"
                ));
            }
        }
    }
    for line in text.lines() {
        if let Some(rule) = line.strip_prefix("# expect: ")
            && !alerts.iter().any(|a| a["rule"] == rule.trim())
        {
            return Err(format!(
                "{name}: rule {rule:?} did not fire; alerts: {fired:?}"
            ));
        }
        if let Some(p) = line.strip_prefix("# expect-quiet: ") {
            let limit = priority_rank(p.trim());
            // Processes already running when recording began are the host's, not the workload's.
            let loud: Vec<&String> = alerts
                .iter()
                .zip(&fired)
                .filter(|(a, _)| {
                    a["event"] != "proc_snapshot"
                        && priority_rank(a["priority"].as_str().unwrap()) <= limit
                })
                .map(|(_, f)| f)
                .collect();
            if !loud.is_empty() {
                return Err(format!("{name}: a benign workload raised {loud:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn every_scenario_triggers_its_rule_and_benign_work_stays_quiet() {
    if !ebpf_usable() {
        return;
    }
    let scen = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/scenarios");
    let mut scripts: Vec<PathBuf> = std::fs::read_dir(&scen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sh"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 10, "{} scenarios", scripts.len());
    let dir = tempfile::tempdir().unwrap();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = scripts
            .iter()
            .map(|p| s.spawn(|| run(p, dir.path())))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap().err())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Every default rule is re-enacted by some scenario, except those this machine cannot show.
    let rules = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/shrike_rules.yaml"),
    )
    .unwrap();
    let expected: String = scripts
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // No kernel module support on the test machines (CONFIG_MODULES is off), so no module can be loaded.
    let untestable = ["Kernel module loaded"];
    for rule in rules.lines().filter_map(|l| l.strip_prefix("- rule: ")) {
        if !untestable.contains(&rule) {
            assert!(
                expected.contains(&format!("# expect: {rule}")),
                "no scenario re-enacts rule {rule:?}"
            );
        }
    }
}
