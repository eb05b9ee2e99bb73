//! `shrike replay`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use shrike_analyze::compile::compile;
use shrike_analyze::fields::Ctx;
use shrike_analyze::history::History;
use shrike_analyze::replay::replay_kept;
use shrike_analyze::time::{rfc3339, wall_ns};
use shrike_format::Value;

/// Prints every event of `files` (that passes `filter`) in time order, one line each.
pub fn run(files: &[PathBuf], filter: Option<&str>, json: bool) -> Result<u8> {
    let condition = filter
        .map(|f| {
            let expr = shrike_rule_lang::condition::parse(f, &|_| None).map_err(|e| {
                anyhow::anyhow!(
                    "--filter: at character {}: {}\n  {f}\n  {}^",
                    e.offset + 1,
                    e.message,
                    " ".repeat(e.offset)
                )
            })?;
            compile(&expr).map_err(|e| anyhow::anyhow!("--filter: {e}"))
        })
        .transpose()?;
    let caps = crate::cmd::scan::open_all(files)?;
    // Process fields need pass one; a plain replay does not.
    let history = if condition.is_some() {
        History::build(&caps)
    } else {
        History::default()
    };
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    // The filter runs on every core, before an event is copied; events are
    // numbered in their file, as a scan numbers them.
    let events: u64 = caps.iter().map(shrike_format::Capture::event_count).sum();
    // Events go to stdout as they come: a bar only when they go elsewhere.
    let bar = crate::cmd::progress(events, "events", true);
    let keep = |file: usize, num: u64, ev: &shrike_format::EventRef<'_>| {
        if !bar.is_hidden() {
            bar.inc(1);
        }
        condition
            .as_ref()
            .is_none_or(|c| c.matches(&Ctx::new(ev, caps[file].header(), &history, num)))
    };
    let r = replay_kept(&caps, &keep, &mut |r| {
        let h = caps[r.file].header();
        let time = rfc3339(wall_ns(h, r.event.ts));
        if json {
            let mut v = r.event.to_json();
            v["time"] = time.into();
            if files.len() > 1 {
                v["file"] = files[r.file].display().to_string().into();
            }
            writeln!(out, "{v}")
        } else {
            let e = &r.event;
            let mut kind = e
                .kind()
                .map_or_else(|| format!("kind#{}", e.kind_id()), |k| k.name().to_string());
            if let shrike_format::Body::Syscall { .. } = e.body {
                // Which syscall, by name (nr stays among the fields).
                kind = format!(
                    "syscall:{}",
                    shrike_analyze::fields::evt_type(&e.as_event_ref())
                );
            }
            // The user table came with the capture: its names are recorded text.
            let user = h.user_name(e.uid).map_or_else(
                || e.uid.to_string(),
                |n| shrike_format::Escaped(n.as_bytes()).to_string(),
            );
            write!(
                out,
                "{time} {}({}:{}) {user} {kind}",
                shrike_format::Escaped(&e.comm),
                e.pid,
                e.tid
            )?;
            let mut fields = String::new();
            let k = e.kind();
            e.body.visit(&mut |name, v| {
                // Numbers with names read as strace shows them.
                if let (Some(k), Some(n)) = (k, v.number())
                    && let Some(t) = shrike_analyze::fields::named_value(k, name, n)
                {
                    fields.push_str(&format!(" {name}={t}"));
                    return;
                }
                let shown = match v {
                    // As strace shows envp: the variables are in --format json.
                    Value::Strs(l) if name == "env" => format!("/* {} vars */", l.len()),
                    // A kept executable's bytes: `shrike extract` writes them out.
                    Value::Str(s) if k == Some(shrike_format::Kind::ExeFile) && name == "data" => {
                        format!("/* {} bytes */", s.len())
                    }
                    Value::Str(s)
                        if s.is_empty()
                            || s.iter().any(|c| c.is_ascii_whitespace() || *c == b'"') =>
                    {
                        format!("{:?}", shrike_format::Escaped(s).to_string())
                    }
                    v => v.to_string(),
                };
                fields.push_str(&format!(" {name}={shown}"));
            });
            writeln!(out, "{fields}")
        }
    });
    bar.finish_and_clear();
    let r = r.and_then(|()| {
        let json_out: Option<&mut dyn Write> = if json { Some(&mut out) } else { None };
        let code = crate::cmd::report_damage(files, &caps, json_out)?;
        out.flush()?;
        Ok(code)
    });
    match r {
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(crate::EXIT_OK),
        r => r.context("writing output"),
    }
}
