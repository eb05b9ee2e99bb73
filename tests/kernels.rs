//! The kernel matrix: shrike records the known actions on Debian's stock
//! cloud kernels of four releases (5.10, 6.1, 6.12 and sid's newest), booted
//! under qemu with an initramfs that holds busybox, this static shrike and the
//! static workload, and nothing else (scripts/kernel-matrix). Each capture is
//! checked event by event, as on this host (tests/record.rs), with what each
//! kernel cannot give said on the terminal and in `shrike info`; and the
//! refusals a user can meet (no BTF, a program the kernel rejects) end in one
//! line and exit status 2.
//!
//! Needs qemu-system-x86_64, busybox-static, cpio and Debian's mirror (or a
//! cache of the kernels: $SHRIKE_KERNEL_CACHE). Outside CI it skips with
//! SKIPPED when those are missing; with CI=true it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_shrike");

/// One kernel of the matrix.
#[derive(Clone, Debug)]
struct Kernel {
    release: String,
    version: String,
    vmlinuz: PathBuf,
}

/// What a boot left: the guest's files.
struct Boot {
    dir: PathBuf,
}

impl Boot {
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    fn status(&self) -> Option<i32> {
        self.read("record.status").trim().parse().ok()
    }

    /// Everything worth seeing when a check fails.
    fn explain(&self) -> String {
        format!(
            "{}: status {:?}\n--- record.stderr\n{}\n--- console.log\n{}",
            self.dir.display(),
            self.status(),
            self.read("record.stderr"),
            self.read("console.log")
        )
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kernel-matrix")
}

fn tools_missing() -> Option<String> {
    for (tool, package) in [
        ("qemu-system-x86_64", "qemu-system-x86"),
        ("busybox", "busybox-static"),
        ("cpio", "cpio"),
        ("dpkg", "dpkg"),
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Some(format!(
                "{tool} is missing (apt-get install {package}; scripts/setup installs it)"
            ));
        }
    }
    None
}

fn fetch() -> Result<Vec<Kernel>, String> {
    let o = Command::new(script())
        .arg("fetch")
        .output()
        .map_err(|e| format!("running scripts/kernel-matrix: {e}"))?;
    if !o.status.success() {
        return Err(format!(
            "scripts/kernel-matrix fetch: {}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some(Kernel {
                release: w.next()?.to_string(),
                version: w.next()?.to_string(),
                vmlinuz: PathBuf::from(w.next()?),
            })
        })
        .collect())
}

fn boot(k: &Kernel, mode: &str, out: &Path, workload: &Path) -> Boot {
    let dir = out.join(format!("{}-{mode}", k.release));
    let o = Command::new(script())
        .arg("boot")
        .arg(&k.vmlinuz)
        .arg(&dir)
        .arg(BIN)
        .arg(workload)
        .arg(mode)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "booting {} {} ({mode}): {}\n{}",
        k.release,
        k.version,
        String::from_utf8_lossy(&o.stderr),
        std::fs::read_to_string(dir.join("console.log")).unwrap_or_default()
    );
    Boot { dir }
}

/// What each kernel lacks, by release: the test knows the versions, shrike does not.
fn expected_limits(release: &str) -> &'static [&'static str] {
    match release {
        "bullseye" => &["no bpf_loop helper", "sched_process_exit has no group_dead"],
        "bookworm" | "trixie" => &["sched_process_exit has no group_dead"],
        _ => &[],
    }
}

#[test]
fn every_kernel_in_the_matrix_records_the_known_actions() {
    if let Some(why) = tools_missing() {
        common::cannot_run(&why);
        return;
    }
    let kernels = match fetch() {
        Ok(k) if k.len() == 4 => k,
        Ok(k) => panic!(
            "scripts/kernel-matrix fetch gave {} kernels: {k:?}",
            k.len()
        ),
        Err(why) => {
            common::cannot_run(&why);
            return;
        }
    };
    let workload = common::known_actions_binary();
    // Kept after the run (replaced by the next), so a failure can be looked into.
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-matrix");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let oldest = kernels[0].clone();
    let mut jobs: Vec<(Kernel, &str)> = kernels.iter().map(|k| (k.clone(), "record")).collect();
    jobs.push((oldest.clone(), "no-btf"));
    jobs.push((oldest.clone(), "force-bpf-loop"));
    // Two boots at a time: TCG runs a guest on one host thread.
    let boots: Vec<(Kernel, &str, Boot)> = std::thread::scope(|scope| {
        let mut done = Vec::new();
        for pair in jobs.chunks(2) {
            let handles: Vec<_> = pair
                .iter()
                .map(|(k, mode)| {
                    let (out, workload) = (out.as_path(), &workload);
                    scope.spawn(move || (k.clone(), *mode, boot(k, mode, out, workload)))
                })
                .collect();
            done.extend(handles.into_iter().map(|h| h.join().unwrap()));
        }
        done
    });

    for (k, mode, b) in &boots {
        eprintln!(
            "checking {} {} ({mode}) in {}",
            k.release,
            k.version,
            b.dir.display()
        );
        let stderr = b.read("record.stderr");
        match *mode {
            "record" => {
                assert_eq!(
                    b.status(),
                    Some(0),
                    "{} {}: {}",
                    k.release,
                    k.version,
                    b.explain()
                );
                let facts: serde_json::Value = serde_json::from_str(&b.read("facts.json"))
                    .unwrap_or_else(|e| panic!("{}: facts.json: {e}\n{}", k.release, b.explain()));
                let capture = b.dir.join("capture.shrk");
                let checked = std::panic::catch_unwind(|| {
                    common::check_known_actions(&capture, &facts);
                });
                if let Err(why) = checked {
                    // A guest of one CPU under TCG, beside another: a kernel
                    // that runs syscall programs preemptibly (7.x) skips a
                    // program that starts while another is preempted, and
                    // the recording says so (`lost`). Such a run is booted
                    // again once, and that one must pass; a recording that
                    // lost nothing and misses an event fails at once.
                    let lost = shrike_format::Capture::open(&capture).map_or(0, |c| c.lost_count());
                    if lost == 0 {
                        std::panic::resume_unwind(why);
                    }
                    eprintln!(
                        "{}: {lost} events lost (see `shrike info`) and a check failed: booting it again",
                        k.release
                    );
                    let again = boot(k, mode, &out.join("again"), &workload);
                    let facts: serde_json::Value = serde_json::from_str(&again.read("facts.json"))
                        .unwrap_or_else(|e| {
                            panic!("{}: facts.json: {e}\n{}", k.release, again.explain())
                        });
                    common::check_known_actions(&again.dir.join("capture.shrk"), &facts);
                }
                // What the kernel cannot give: on the terminal, and in `shrike info`.
                let info = b.read("info.txt");
                let warned: Vec<&str> = stderr
                    .lines()
                    .filter(|l| l.starts_with("shrike: warning: kernel "))
                    .collect();
                let limits: Vec<&str> =
                    info.lines().filter(|l| l.starts_with("  limit ")).collect();
                let want = expected_limits(&k.release);
                assert_eq!(warned.len(), want.len(), "{}: {warned:?}", k.release);
                assert_eq!(limits.len(), want.len(), "{}: {info}", k.release);
                for w in want {
                    assert!(
                        warned.iter().any(|l| l.contains(w)),
                        "{}: no {w:?} in {warned:?}",
                        k.release
                    );
                    assert!(
                        limits.iter().any(|l| l.contains(w)),
                        "{}: no {w:?} in {info}",
                        k.release
                    );
                }
                // The same file, read by this host's shrike.
                let o = Command::new(BIN)
                    .arg("info")
                    .arg(b.dir.join("capture.shrk"))
                    .output()
                    .unwrap();
                let here = String::from_utf8_lossy(&o.stdout);
                let here: Vec<&str> = here.lines().filter(|l| l.starts_with("  limit ")).collect();
                assert_eq!(here, limits);
            }
            "no-btf" => {
                assert_eq!(b.status(), Some(2), "{}", b.explain());
                let lines: Vec<&str> = stderr.lines().collect();
                assert_eq!(lines.len(), 1, "one line: {stderr}");
                assert!(
                    lines[0].contains("no BTF") && lines[0].contains("/sys/kernel/btf/vmlinux"),
                    "{stderr}"
                );
            }
            "force-bpf-loop" => {
                assert_eq!(b.status(), Some(2), "{}", b.explain());
                let lines: Vec<&str> = stderr
                    .lines()
                    .filter(|l| !l.contains("RLIMIT_MEMLOCK"))
                    .collect();
                assert_eq!(lines.len(), 1, "one line: {stderr}");
                assert!(
                    lines[0].contains("the kernel refused")
                        && lines[0].contains("verifier log in /out/capture.shrk.verifier.log"),
                    "{stderr}"
                );
                let log = b.read("capture.shrk.verifier.log");
                assert!(
                    log.contains("func_info"),
                    "the verifier's own words are kept: {log}"
                );
                assert!(
                    !b.dir.join("capture.shrk").exists(),
                    "no capture is started"
                );
            }
            _ => unreachable!(),
        }
    }
}
