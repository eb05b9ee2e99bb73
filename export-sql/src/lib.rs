//! shrike captures into SQLite, with the schema documented in docs/sql.md,
//! and SQL queries over the result. Written with sqlx in large transactions.

use std::collections::HashMap;
use std::path::Path;

use shrike_analyze::replay::replay;
use shrike_analyze::time::{rfc3339, wall_ns};
use shrike_analyze::timeline::{Selection, build};
use shrike_format::{Body, Capture, SockAddr};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{
    Column, ConnectOptions, Connection, Executor, QueryBuilder, Row, Sqlite, SqliteConnection,
    Statement, TypeInfo, ValueRef,
};

/// The schema (docs/sql.md explains every column).
pub const SCHEMA: &str = include_str!("schema.sql");
/// Its secondary indexes, (re)built after each export.
pub const INDEXES: &str = include_str!("indexes.sql");

/// Errors of export and query.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// SQLite refused something; its message.
    #[error("{0}")]
    Sqlite(#[from] sqlx::Error),
    /// Reading a capture failed.
    #[error("{file}: {what}")]
    Capture {
        /// The capture.
        file: String,
        /// What went wrong.
        what: String,
    },
    /// The runtime could not start.
    #[error("cannot start the database runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// An alert to store with its capture.
#[derive(Clone, Debug)]
pub struct AlertRow {
    /// Index of the capture in the slice given to [`export`].
    pub capture: usize,
    /// Wall-clock ns.
    pub time_ns: i128,
    /// Rule name.
    pub rule: String,
    /// Priority name.
    pub priority: String,
    /// Process id.
    pub pid: u32,
    /// Rendered output.
    pub output: String,
}

/// What an export did.
#[derive(Clone, Debug, Default)]
pub struct ExportSummary {
    /// Captures written.
    pub exported: Vec<String>,
    /// Captures already in the database (by file id), left as they were.
    pub already: Vec<String>,
    /// Rows written across all tables.
    pub rows: u64,
}

fn runtime() -> Result<tokio::runtime::Runtime, SqlError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

async fn open(db: &Path, create: bool) -> Result<SqliteConnection, SqlError> {
    let opts = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(create)
        .foreign_keys(true)
        // WAL keeps the database consistent if shrike dies mid-export; without fsync an
        // operating-system crash may lose the last export, which the capture can redo.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off);
    Ok(opts.connect().await?)
}

/// Exports `caps` (named `files`) and `alerts` into the database at `db`, creating it if needed.
pub fn export(
    db: &Path,
    files: &[String],
    caps: &[Capture],
    alerts: &[AlertRow],
) -> Result<ExportSummary, SqlError> {
    runtime()?.block_on(async {
        let mut conn = open(db, true).await?;
        sqlx::raw_sql(SCHEMA).execute(&mut conn).await?;
        // Loading without the secondary indexes, then building them once, is far faster.
        for name in index_names() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
                .execute(&mut conn)
                .await?;
        }
        let mut summary = ExportSummary::default();
        for (i, (file, cap)) in files.iter().zip(caps).enumerate() {
            let id = cap.header().file_id_hex();
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT capture_id FROM captures WHERE file_id = ?")
                    .bind(&id)
                    .fetch_optional(&mut conn)
                    .await?;
            if exists.is_some() {
                summary.already.push(file.clone());
                continue;
            }
            let mine: Vec<&AlertRow> = alerts.iter().filter(|a| a.capture == i).collect();
            summary.rows += export_one(&mut conn, file, cap, &mine).await?;
            summary.exported.push(file.clone());
        }
        sqlx::raw_sql(INDEXES).execute(&mut conn).await?;
        conn.close().await?;
        Ok(summary)
    })
}

/// The names of the indexes in [`INDEXES`].
fn index_names() -> impl Iterator<Item = &'static str> {
    INDEXES
        .lines()
        .filter_map(|l| l.strip_prefix("CREATE INDEX IF NOT EXISTS "))
        .filter_map(|l| l.split_whitespace().next())
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ip(a: &SockAddr<&[u8]>) -> Option<String> {
    match a {
        SockAddr::Unix(p) => Some(s(p)),
        a => a.ip().map(|ip| ip.to_string()),
    }
}

/// A `files` row: path, second path, flags, mode.
struct FileRow(String, Option<String>, Option<i64>, Option<i64>);

/// A `network` row: protocol, local ip and port, remote ip and port.
struct NetRow(
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// One event's rows, ready to insert.
struct EventRow {
    id: i64,
    process_id: i64,
    time: String,
    ts_ns: i64,
    kind: &'static str,
    pid: i64,
    tid: i64,
    comm: String,
    uid: i64,
    euid: i64,
    res: Option<i64>,
    detail: String,
    file: Option<FileRow>,
    net: Option<NetRow>,
    lost: Option<i64>,
}

async fn export_one(
    conn: &mut SqliteConnection,
    file: &str,
    cap: &Capture,
    alerts: &[&AlertRow],
) -> Result<u64, SqlError> {
    let bad = |what: String| SqlError::Capture {
        file: file.to_string(),
        what,
    };
    let h = cap.header();
    let caps = std::slice::from_ref(cap);
    let t = build(
        caps,
        &Selection {
            tree_only: true,
            ..Selection::default()
        },
    )
    .map_err(|e| bad(e.to_string()))?;
    let mut tx = conn.begin().await?;
    let (first, last) = cap
        .chunks()
        .iter()
        .filter(|c| c.header.stats.events > 0)
        .fold((u64::MAX, 0), |(a, b), c| {
            (a.min(c.header.stats.min_ts), b.max(c.header.stats.max_ts))
        });
    let capture_id: i64 = sqlx::query_scalar(
        "INSERT INTO captures (file_id, file, hostname, kernel, boot_id, recorder, first_time, last_time, events, lost) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING capture_id",
    )
    .bind(h.file_id_hex())
    .bind(file)
    .bind(&h.hostname)
    .bind(&h.kernel)
    .bind(&h.boot_id)
    .bind(&h.recorder)
    .bind((first <= last).then(|| rfc3339(wall_ns(h, first))))
    .bind((first <= last).then(|| rfc3339(wall_ns(h, last))))
    .bind(cap.event_count() as i64)
    .bind(cap.lost_count() as i64)
    .fetch_one(&mut *tx)
    .await?;
    let mut rows = 1u64;

    // Processes: one row per life; ids continue after those already in the database.
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(process_id), 0) + 1 FROM processes")
        .fetch_one(&mut *tx)
        .await?;
    let mut parent: Vec<Option<usize>> = vec![None; t.processes.len()];
    for (i, p) in t.processes.iter().enumerate() {
        for &c in &p.children {
            parent[c] = Some(i);
        }
    }
    for chunk in (0..t.processes.len()).collect::<Vec<_>>().chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO processes (process_id, capture_id, pid, ppid, parent_id, exe, cmdline, user, start_time, end_time, exit_code, exit_signal) ",
        );
        q.push_values(chunk, |mut b, &i| {
            let p = &t.processes[i];
            b.push_bind(base + i as i64)
                .push_bind(capture_id)
                .push_bind(i64::from(p.pid))
                .push_bind(i64::from(p.ppid))
                .push_bind(parent[i].map(|x| base + x as i64))
                .push_bind(p.exe.clone())
                .push_bind(p.cmdline.clone())
                .push_bind(p.user.clone())
                .push_bind(rfc3339(p.start_ns))
                .push_bind(p.end_ns.map(rfc3339))
                .push_bind(p.exit_code)
                .push_bind(p.exit_signal.map(|s| s as i64));
        });
        q.build().execute(&mut *tx).await?;
        rows += chunk.len() as u64;
    }
    // Each event belongs to the life of its pid that had begun by then.
    let mut lives: HashMap<u32, Vec<(i128, usize)>> = HashMap::new();
    for (i, p) in t.processes.iter().enumerate() {
        lives.entry(p.pid).or_default().push((p.start_ns, i));
    }
    let life_of = |pid: u32, now: i128| -> i64 {
        let l = &lives[&pid];
        let i = l
            .iter()
            .rev()
            .find(|(start, _)| *start <= now)
            .or(l.first())
            .expect("a life per pid")
            .1;
        base + i as i64
    };

    let event_base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(event_id), 0) + 1 FROM events")
        .fetch_one(&mut *tx)
        .await?;
    let mut batch: Vec<EventRow> = Vec::with_capacity(1000);
    let mut n: i64 = 0;
    let mut failure: Option<SqlError> = None;
    let mut pending: Vec<Vec<EventRow>> = Vec::new();
    replay(
        caps,
        &mut |r| {
            let e = r.event.as_event_ref();
            let now = wall_ns(h, e.ts);
            let mut detail = serde_json::Map::new();
            e.body.visit(&mut |name, v| {
                detail.insert(name.into(), v.to_json());
            });
            // Read back from the fields just collected: no second walk over the event.
            let res = detail.get("res").and_then(serde_json::Value::as_i64);
            let file = match &e.body {
                Body::Open {
                    abspath,
                    flags,
                    mode,
                    ..
                }
                | Body::Openat {
                    abspath,
                    flags,
                    mode,
                    ..
                }
                | Body::Openat2 {
                    abspath,
                    flags,
                    mode,
                    ..
                }
                | Body::Creat {
                    abspath,
                    flags,
                    mode,
                    ..
                } => Some(FileRow(
                    s(abspath),
                    None,
                    Some(*flags as i64),
                    Some(*mode as i64),
                )),
                Body::Unlink { abspath, .. }
                | Body::Unlinkat { abspath, .. }
                | Body::Rmdir { abspath, .. }
                | Body::Mkdir { abspath, .. }
                | Body::Mkdirat { abspath, .. } => Some(FileRow(s(abspath), None, None, None)),
                Body::Chmod { abspath, mode, .. }
                | Body::Fchmod { abspath, mode, .. }
                | Body::Fchmodat { abspath, mode, .. } => {
                    Some(FileRow(s(abspath), None, None, Some(*mode as i64)))
                }
                Body::Chown { abspath, .. }
                | Body::Lchown { abspath, .. }
                | Body::Fchown { abspath, .. }
                | Body::Fchownat { abspath, .. }
                | Body::Truncate { abspath, .. }
                | Body::Ftruncate { abspath, .. } => Some(FileRow(s(abspath), None, None, None)),
                Body::Rename {
                    oldabspath,
                    newabspath,
                    ..
                }
                | Body::Renameat {
                    oldabspath,
                    newabspath,
                    ..
                }
                | Body::Renameat2 {
                    oldabspath,
                    newabspath,
                    ..
                }
                | Body::Link {
                    oldabspath,
                    newabspath,
                    ..
                }
                | Body::Linkat {
                    oldabspath,
                    newabspath,
                    ..
                } => Some(FileRow(s(oldabspath), Some(s(newabspath)), None, None)),
                Body::Symlink {
                    oldpath,
                    newabspath,
                    ..
                }
                | Body::Symlinkat {
                    oldpath,
                    newabspath,
                    ..
                } => Some(FileRow(s(newabspath), Some(s(oldpath)), None, None)),
                _ => None,
            };
            let net = match &e.body {
                Body::Connect {
                    proto,
                    laddr,
                    raddr,
                    ..
                }
                | Body::Accept {
                    proto,
                    laddr,
                    raddr,
                    ..
                }
                | Body::Accept4 {
                    proto,
                    laddr,
                    raddr,
                    ..
                } => Some(NetRow(
                    *proto as i64,
                    ip(laddr),
                    laddr.port().map(i64::from),
                    ip(raddr),
                    raddr.port().map(i64::from),
                )),
                Body::Bind { proto, laddr, .. } | Body::Listen { proto, laddr, .. } => {
                    Some(NetRow(
                        *proto as i64,
                        ip(laddr),
                        laddr.port().map(i64::from),
                        None,
                        None,
                    ))
                }
                _ => None,
            };
            batch.push(EventRow {
                id: event_base + n,
                process_id: life_of(e.pid, now),
                time: rfc3339(now),
                ts_ns: now as i64,
                kind: e.kind().map_or("unknown", |k| k.name()),
                pid: e.pid.into(),
                tid: e.tid.into(),
                comm: s(e.comm),
                uid: e.uid.into(),
                euid: e.euid.into(),
                res,
                detail: serde_json::Value::Object(detail).to_string(),
                file,
                net,
                lost: match e.body {
                    Body::Lost { count } => Some(count as i64),
                    _ => None,
                },
            });
            n += 1;
            if batch.len() == 1000 {
                pending.push(std::mem::take(&mut batch));
            }
            Ok(())
        },
        &mut |_, e| {
            failure.get_or_insert(bad(e.to_string()));
        },
    )
    .map_err(|e| bad(e.to_string()))?;
    if let Some(f) = failure {
        return Err(f);
    }
    pending.push(batch);
    for b in pending.into_iter().filter(|b| !b.is_empty()) {
        rows += insert_events(&mut tx, capture_id, b).await?;
    }
    for chunk in alerts.chunks(500) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO alerts (capture_id, time, rule, priority, pid, output) ",
        );
        q.push_values(chunk, |mut b, a| {
            b.push_bind(capture_id)
                .push_bind(rfc3339(a.time_ns))
                .push_bind(a.rule.clone())
                .push_bind(a.priority.clone())
                .push_bind(i64::from(a.pid))
                .push_bind(a.output.clone());
        });
        q.build().execute(&mut *tx).await?;
        rows += chunk.len() as u64;
    }
    tx.commit().await?;
    Ok(rows)
}

async fn insert_events(
    tx: &mut SqliteConnection,
    capture_id: i64,
    mut b: Vec<EventRow>,
) -> Result<u64, SqlError> {
    let mut rows = 0u64;
    // Strings move into the statements: no copy per row.
    let files: Vec<(i64, &'static str, Option<i64>, FileRow)> = b
        .iter_mut()
        .filter_map(|e| e.file.take().map(|f| (e.id, e.kind, e.res, f)))
        .collect();
    let nets: Vec<(i64, &'static str, Option<i64>, NetRow)> = b
        .iter_mut()
        .filter_map(|e| e.net.take().map(|n| (e.id, e.kind, e.res, n)))
        .collect();
    let lost: Vec<(String, i64)> = b
        .iter()
        .filter_map(|e| e.lost.map(|n| (e.time.clone(), n)))
        .collect();
    for chunk in b.chunks_mut(500) {
        let n = chunk.len() as u64;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO events (event_id, capture_id, process_id, time, ts_ns, kind, pid, tid, comm, uid, euid, res, detail) ",
        );
        q.push_values(chunk.iter_mut(), |mut r, e| {
            r.push_bind(e.id)
                .push_bind(capture_id)
                .push_bind(e.process_id)
                .push_bind(std::mem::take(&mut e.time))
                .push_bind(e.ts_ns)
                .push_bind(e.kind)
                .push_bind(e.pid)
                .push_bind(e.tid)
                .push_bind(std::mem::take(&mut e.comm))
                .push_bind(e.uid)
                .push_bind(e.euid)
                .push_bind(e.res)
                .push_bind(std::mem::take(&mut e.detail));
        });
        q.build().execute(&mut *tx).await?;
        rows += n;
    }
    let mut files = files.into_iter().peekable();
    while files.peek().is_some() {
        let chunk: Vec<_> = files.by_ref().take(500).collect();
        rows += chunk.len() as u64;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO files (event_id, operation, path, path2, flags, mode, res) ",
        );
        q.push_values(
            chunk,
            |mut r, (id, kind, res, FileRow(path, path2, flags, mode))| {
                r.push_bind(id)
                    .push_bind(kind)
                    .push_bind(path)
                    .push_bind(path2)
                    .push_bind(flags)
                    .push_bind(mode)
                    .push_bind(res);
            },
        );
        q.build().execute(&mut *tx).await?;
    }
    let mut nets = nets.into_iter().peekable();
    while nets.peek().is_some() {
        let chunk: Vec<_> = nets.by_ref().take(500).collect();
        rows += chunk.len() as u64;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO network (event_id, operation, proto, local_ip, local_port, remote_ip, remote_port, res) ",
        );
        q.push_values(
            chunk,
            |mut r, (id, kind, res, NetRow(proto, lip, lport, rip, rport))| {
                r.push_bind(id)
                    .push_bind(kind)
                    .push_bind(proto)
                    .push_bind(lip)
                    .push_bind(lport)
                    .push_bind(rip)
                    .push_bind(rport)
                    .push_bind(res);
            },
        );
        q.build().execute(&mut *tx).await?;
    }
    for (time, count) in lost {
        sqlx::query("INSERT INTO lost (capture_id, time, count) VALUES (?,?,?)")
            .bind(capture_id)
            .bind(time)
            .bind(count)
            .execute(&mut *tx)
            .await?;
        rows += 1;
    }
    Ok(rows)
}

/// A value of a query result.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text (BLOBs as hex).
    Text(String),
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Null => f.write_str("NULL"),
            Cell::Int(i) => write!(f, "{i}"),
            Cell::Real(x) => write!(f, "{x}"),
            Cell::Text(t) => f.write_str(t),
        }
    }
}

/// Runs `sql` on the database at `db`; returns column names and rows.
pub fn query(db: &Path, sql: &str) -> Result<(Vec<String>, Vec<Vec<Cell>>), SqlError> {
    runtime()?.block_on(async {
        let mut conn = open(db, false).await?;
        // The analyst's own query, run on their own database: that is the point of `shrike sql`.
        // Column names come from the statement, so an empty result still has its header.
        let stmt = (&mut conn)
            .prepare(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql)))
            .await?;
        let columns: Vec<String> = stmt
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let rows = stmt.query().fetch_all(&mut conn).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut cells = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                let raw = r.try_get_raw(i)?;
                let cell = if raw.is_null() {
                    Cell::Null
                } else {
                    match raw.type_info().name() {
                        "INTEGER" | "BOOLEAN" => Cell::Int(r.try_get(i)?),
                        "REAL" => Cell::Real(r.try_get(i)?),
                        "BLOB" => Cell::Text(
                            r.try_get::<Vec<u8>, _>(i)?
                                .iter()
                                .map(|b| format!("{b:02x}"))
                                .collect(),
                        ),
                        _ => Cell::Text(r.try_get(i)?),
                    }
                };
                cells.push(cell);
            }
            out.push(cells);
        }
        conn.close().await?;
        Ok((columns, out))
    })
}
