//! `shrike export` and `shrike sql`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use shrike_analyze::time::wall_ns;
use shrike_export_sql::{AlertRow, Cell, export_watched, query};

/// Exports captures (and alerts when rules are given) into `db`; with
/// `force`, into a new database in its place.
pub fn run_export(files: &[PathBuf], db: &Path, rules: &[PathBuf], force: bool) -> Result<u8> {
    let caps = crate::cmd::scan::open_all(files)?;
    if force {
        // Created anew, never reused: what someone planted there goes, whoever owns it.
        for ext in ["", "-journal", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(ext);
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("{}: cannot replace", db.display()));
                }
                _ => {}
            }
        }
    }
    let bar = crate::cmd::passes_bar(&caps, rules);
    let inc = |n| bar.inc(n);
    bar.set_message("rules");
    let alerts = export_alerts(&caps, rules, &inc)?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let started = std::time::Instant::now();
    bar.set_message("rows");
    let s = export_watched(db, &names, &caps, &alerts, &inc)
        .with_context(|| format!("{}", db.display()))?;
    bar.finish_and_clear();
    for f in &s.already {
        eprintln!(
            "shrike: {f}: already in {} (same file id, no new events), left as it was",
            db.display()
        );
    }
    for (f, before, now) in &s.grown {
        eprintln!(
            "shrike: {f}: grew since it was exported into {} ({before} events then, {now} now): \
             its rows were replaced by the whole capture's{}",
            db.display(),
            if rules.is_empty() {
                ", and its alerts dropped (export with --rules to have them again)"
            } else {
                ""
            }
        );
    }
    let elapsed = started.elapsed();
    eprintln!(
        "shrike: exported {} captures, {} rows, into {} in {:.1} s \
         (process trees {:.1} s, rows {:.1} s, indexes {:.1} s)",
        s.exported.len(),
        s.rows,
        db.display(),
        elapsed.as_secs_f64(),
        s.tree_time.as_secs_f64(),
        (elapsed.saturating_sub(s.tree_time + s.index_time)).as_secs_f64(),
        s.index_time.as_secs_f64(),
    );
    crate::cmd::report_damage(files, &caps, None).context("reporting damage")
}

/// The alerts of `rules` on `caps`, as the exports store them.
fn export_alerts(
    caps: &[shrike_format::Capture],
    rules: &[PathBuf],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<AlertRow>> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let (engine, alerts) = crate::cmd::scan::rule_alerts(caps, rules, progress)?;
    Ok(alerts
        .into_iter()
        .map(|a| {
            let r = &engine.rules[a.rule];
            AlertRow {
                capture: a.file,
                time_ns: wall_ns(caps[a.file].header(), a.ts),
                rule: r.name.clone(),
                priority: r.priority.name().into(),
                pid: a.pid,
                output: a.output,
            }
        })
        .collect())
}

/// Exports captures (and alerts when rules are given) into the Parquet
/// dataset `dir`; with `force`, into a new dataset in its place.
pub fn run_parquet(files: &[PathBuf], dir: &Path, rules: &[PathBuf], force: bool) -> Result<u8> {
    let caps = crate::cmd::scan::open_all(files)?;
    if force && dir.exists() {
        // Only a dataset of shrike's making is removed whole.
        let foreign = std::fs::read_dir(dir)
            .with_context(|| format!("{}", dir.display()))?
            .flatten()
            .find(|e| {
                let name = e.file_name();
                !shrike_export_parquet::table_names().any(|t| name == t)
            });
        if let Some(e) = foreign {
            anyhow::bail!(
                "{}: holds {:?}, which is no table of a shrike dataset: --force removes only a dataset shrike wrote",
                dir.display(),
                e.file_name()
            );
        }
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("{}: cannot replace", dir.display()))?;
    }
    let bar = crate::cmd::passes_bar(&caps, rules);
    let inc = |n| bar.inc(n);
    bar.set_message("rules");
    let alerts = export_alerts(&caps, rules, &inc)?;
    bar.set_message("parquet");
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let started = std::time::Instant::now();
    let s = shrike_export_parquet::export(dir, &names, &caps, &alerts, &inc)
        .with_context(|| format!("{}", dir.display()))?;
    bar.finish_and_clear();
    for f in &s.replaced {
        eprintln!(
            "shrike: {f}: was in {} already (same file id): its files were replaced",
            dir.display()
        );
    }
    let rows: u64 = s.rows.values().sum();
    eprintln!(
        "shrike: exported {} captures, {rows} rows ({}), into {} in {:.1} s: {} files, {:.1} MB, {:.2} bytes/event",
        files.len(),
        s.rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        dir.display(),
        started.elapsed().as_secs_f64(),
        s.files,
        s.bytes as f64 / 1e6,
        s.bytes as f64
            / caps
                .iter()
                .map(shrike_format::Capture::event_count)
                .sum::<u64>()
                .max(1) as f64,
    );
    crate::cmd::report_damage(files, &caps, None).context("reporting damage")
}

/// Whether `path` starts with the capture magic.
fn is_capture(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == shrike_format::MAGIC
}

/// Where `sql CAPTURE` keeps the databases it builds: a directory of the
/// user's own (`$XDG_CACHE_HOME/shrike/sql`, else `~/.cache/shrike/sql`),
/// mode 0700, refused if it is a link, someone else's, or open to others.
fn sql_cache_dir() -> Result<Option<PathBuf>> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let base = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x),
        None => match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => PathBuf::from(h).join(".cache"),
            None => return Ok(None),
        },
    };
    let dir = base.join("shrike").join("sql");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("{}: cannot create", dir.display()))?;
    let m = std::fs::symlink_metadata(&dir).with_context(|| format!("{}", dir.display()))?;
    // SAFETY: a plain getter.
    let me = unsafe { libc::geteuid() };
    if !m.is_dir() || m.uid() != me || m.permissions().mode() & 0o077 != 0 {
        anyhow::bail!(
            "{}: the database cache must be a directory of yours that no one else can open \
             (mode 0700); it is {}, uid {}, mode {:o}",
            dir.display(),
            if m.file_type().is_symlink() {
                "a link"
            } else if m.is_dir() {
                "a directory"
            } else {
                "not a directory"
            },
            m.uid(),
            m.permissions().mode() & 0o7777
        );
    }
    Ok(Some(dir))
}

/// The database of `target` (a capture) to query: the one built before while
/// the capture is unchanged (same file id, size, time and inode), else a new
/// one, built beside it and renamed in place once complete. What damage the
/// build found is kept with it and reported each time.
fn capture_db(target: &Path, tmp: &mut Option<tempfile::TempDir>) -> Result<(PathBuf, u8)> {
    use std::os::unix::fs::MetadataExt;
    let caps = crate::cmd::scan::open_all(&[target.to_path_buf()])?;
    let m = std::fs::metadata(target).with_context(|| format!("{}", target.display()))?;
    let id = caps[0].header().file_id_hex();
    let name = format!(
        "{id}-{}-{}.{}-{}.db",
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ino()
    );
    let dir = match sql_cache_dir()? {
        Some(d) => d,
        None => tmp
            .insert(tempfile::tempdir().context("creating a temporary directory")?)
            .path()
            .to_path_buf(),
    };
    let db = dir.join(&name);
    let damage_file = dir.join(format!("{name}.damage"));
    if db.is_file() {
        let said = std::fs::read_to_string(&damage_file).unwrap_or_default();
        eprint!("{said}");
        let code = if said.is_empty() {
            crate::EXIT_OK
        } else {
            crate::EXIT_DAMAGED
        };
        return Ok((db, code));
    }
    // Older databases of this capture (it changed since) are left behind no more.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{id}-"))
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let mut r = [0u8; 8];
    getrandom::fill(&mut r).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let building = dir.join(format!("{name}.{}.building", shrike_format::hex(&r)));
    let events = caps[0].event_count();
    let bar = crate::cmd::progress(events, "events", false);
    bar.set_message("exporting");
    export_watched(
        &building,
        &[target.display().to_string()],
        &caps,
        &[],
        &|n| bar.inc(n),
    )
    .with_context(|| format!("{}", target.display()))?;
    bar.finish_and_clear();
    let mut said = String::new();
    for d in caps[0].damage() {
        said.push_str(&crate::cmd::damage_line(target, &d));
        said.push('\n');
    }
    eprint!("{said}");
    if !said.is_empty() {
        std::fs::write(&damage_file, &said)
            .with_context(|| format!("{}", damage_file.display()))?;
    }
    std::fs::rename(&building, &db).with_context(|| format!("{}", db.display()))?;
    // The export's journal (truncated, empty once it is done) stays behind its old name.
    let mut journal = building.into_os_string();
    journal.push("-journal");
    let _ = std::fs::remove_file(&journal);
    let code = if said.is_empty() {
        crate::EXIT_OK
    } else {
        crate::EXIT_DAMAGED
    };
    Ok((db, code))
}

/// Runs a query on a database, or on a capture through the database built from it.
pub fn run_sql(target: &Path, sql: &str, format: &str) -> Result<u8> {
    let mut tmp = None;
    let (db, damaged) = if is_capture(target) {
        capture_db(target, &mut tmp)?
    } else {
        if !target.exists() {
            anyhow::bail!("{}: no such database or capture", target.display());
        }
        (target.to_path_buf(), crate::EXIT_OK)
    };
    let (cols, rows) = match query(&db, sql) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("shrike: {}: SQL error: {e}", db.display());
            return Ok(crate::EXIT_ERROR);
        }
    };
    if !matches!(format, "table" | "csv" | "json") {
        anyhow::bail!("--format: {format:?} is not one of table, csv, json");
    }
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A reader that stops early (`| head`) is not an error.
    match write_result(&mut out, format, &cols, &rows).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(crate::EXIT_OK),
        r => r.context("writing the result").map(|()| damaged),
    }
}

/// The widest a table cell is shown, in characters.
const TABLE_CELL: usize = 60;

/// Writes a query's result in `format` (table, csv or json).
fn write_result(
    out: &mut impl std::io::Write,
    format: &str,
    cols: &[String],
    rows: &[Vec<Cell>],
) -> std::io::Result<()> {
    let csv_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    };
    match format {
        "table" => {
            let text: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| shrike_format::Escaped(c.to_string().as_bytes()).to_string())
                        .collect()
                })
                .collect();
            let widths: Vec<usize> = (0..cols.len())
                .map(|i| {
                    text.iter()
                        .map(|r| r[i].chars().count())
                        .chain([cols[i].chars().count()])
                        .max()
                        .unwrap_or(0)
                        .min(TABLE_CELL)
                })
                .collect();
            let mut cut = false;
            let mut line = |cells: &[String]| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, &w)| {
                        if c.chars().count() > w {
                            // A cut cell says so: it must not read as the whole value.
                            cut = true;
                            let kept: String = c.chars().take(w - 1).collect();
                            format!("{kept}…")
                        } else {
                            format!("{c:<w$}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("  ")
            };
            let header = line(cols);
            writeln!(out, "{header}")?;
            writeln!(
                out,
                "{}",
                widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  ")
            )?;
            for r in &text {
                let l = line(r);
                writeln!(out, "{l}")?;
            }
            if cut {
                writeln!(
                    out,
                    "({} rows; cells longer than {TABLE_CELL} characters are cut, marked …: \
                     --format csv or --format json shows them whole)",
                    rows.len()
                )
            } else {
                writeln!(out, "({} rows)", rows.len())
            }
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(cols).map_err(csv_err)?;
            for r in rows {
                w.write_record(r.iter().map(|c| {
                    if *c == Cell::Null {
                        String::new()
                    } else {
                        crate::cmd::csv_cell(&c.to_string()).into_owned()
                    }
                }))
                .map_err(csv_err)?;
            }
            w.flush()
        }
        _ => {
            for r in rows {
                let obj: serde_json::Map<String, serde_json::Value> = cols
                    .iter()
                    .zip(r)
                    .map(|(c, v)| {
                        let v = match v {
                            Cell::Null => serde_json::Value::Null,
                            Cell::Int(i) => (*i).into(),
                            Cell::Real(x) => (*x).into(),
                            Cell::Text(t) => t.clone().into(),
                        };
                        (c.clone(), v)
                    })
                    .collect();
                writeln!(out, "{}", serde_json::Value::Object(obj))?;
            }
            Ok(())
        }
    }
}
