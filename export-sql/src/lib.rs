//! shrike captures into SQLite, with the schema documented in docs/sql.md,
//! and SQL queries over the result. Written with sqlx in large transactions.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use shrike_analyze::rows::{FileRow, NetRow, detail_json, file_row, net_row, resolved, s};
use shrike_analyze::time::{rfc3339, wall_ns};
use shrike_analyze::timeline::{Selection, build, command_line};
use shrike_format::{Body, Capture, Escaped};
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{
    Column, ConnectOptions, Connection, Executor, QueryBuilder, Row, Sqlite, SqliteConnection,
    Statement, TypeInfo, ValueRef,
};

/// The schema (docs/sql.md explains every column).
pub const SCHEMA: &str = include_str!("schema.sql");
/// Its secondary indexes, (re)built after each export.
pub const INDEXES: &str = include_str!("indexes.sql");
/// The schema's version, kept in the database's `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 5;

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
    /// The database holds tables of another version of the schema.
    #[error(
        "the database has shrike schema version {0}, this shrike writes version {SCHEMA_VERSION}: export into a new file"
    )]
    OtherSchema(i64),
    /// The runtime could not start.
    #[error("cannot start the database runtime: {0}")]
    Runtime(#[from] std::io::Error),
    /// `shrike sql` runs one statement that only reads.
    #[error("{0}")]
    NotAQuery(String),
    /// SQLite stored fewer rows than shrike inserted: something in the
    /// database drops them.
    #[error(
        "{table}: {stored} of {inserted} rows were stored; something in the database drops rows"
    )]
    RowsDropped {
        /// The table.
        table: &'static str,
        /// Rows inserted.
        inserted: u64,
        /// Rows SQLite says it stored.
        stored: u64,
    },
    /// The output path or database is not one shrike may write into.
    #[error("{path}: {why}")]
    Unsafe {
        /// The database path.
        path: String,
        /// What is wrong with it.
        why: String,
    },
}

pub use shrike_analyze::scan::AlertRow;

/// What an export did.
#[derive(Clone, Debug, Default)]
pub struct ExportSummary {
    /// Captures written.
    pub exported: Vec<String>,
    /// Captures already in the database (by file id), left as they were.
    pub already: Vec<String>,
    /// Captures that grew since they were exported (a recording still
    /// running then, or cut short): (file, events before, events now). Their
    /// rows, alerts included, were replaced by the whole capture's.
    pub grown: Vec<(String, u64, u64)>,
    /// Rows written across all tables.
    pub rows: u64,
    /// Time spent building process trees (before any row is written).
    pub tree_time: std::time::Duration,
    /// Time spent building the secondary indexes (after every row is written).
    pub index_time: std::time::Duration,
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
        // A rollback journal keeps the database consistent if shrike dies
        // mid-export (without fsync an operating-system crash may lose the last
        // export, which the capture can redo). Not WAL: an export is one huge
        // transaction, and every page read then searches a WAL index that grows
        // with it (15% of a 10M-event export went to walFindFrame).
        // Delete, not truncate: a truncated journal stays beside the database
        // as an empty file, which a responder then has to wonder about.
        .journal_mode(SqliteJournalMode::Delete)
        .synchronous(SqliteSynchronous::Off)
        // Building the indexes reads every table back: mapped, not read a page
        // at a time, and sorted with a helper thread. (A bigger page cache and
        // in-memory temporary storage were measured, and are slower.)
        .pragma("mmap_size", "4294967296")
        .pragma("threads", "2");
    Ok(opts.connect().await?)
}

/// Makes sure `db` is a database shrike may write into: a new file is
/// created here, owner-only and never through a symlink (SQLite would follow
/// one planted at the path); an existing one must be a regular file, not a
/// link, owned by this user.
fn claim_output(db: &Path) -> Result<(), SqlError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let refuse = |why: String| SqlError::Unsafe {
        path: db.display().to_string(),
        why,
    };
    match std::fs::symlink_metadata(db) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(db)
                .map_err(|e| refuse(format!("cannot create the database: {e}")))?;
            Ok(())
        }
        Err(e) => Err(refuse(e.to_string())),
        Ok(m) if m.file_type().is_symlink() => Err(refuse(
            "is a symbolic link: shrike writes databases only where the path itself is".into(),
        )),
        Ok(m) if !m.file_type().is_file() => Err(refuse("is not a regular file".into())),
        // SAFETY: a plain getter.
        Ok(m) if m.uid() != unsafe { libc::geteuid() } => Err(refuse(format!(
            "belongs to uid {}, not to the user exporting: export into a new file",
            m.uid()
        ))),
        Ok(_) => Ok(()),
    }
}

/// The objects of shrike's schema (tables, views, indexes), by name.
fn schema_names() -> Vec<&'static str> {
    SCHEMA
        .lines()
        .chain(INDEXES.lines())
        .filter_map(|l| {
            [
                "CREATE TABLE IF NOT EXISTS ",
                "CREATE VIEW IF NOT EXISTS ",
                "CREATE INDEX IF NOT EXISTS ",
            ]
            .iter()
            .find_map(|p| l.strip_prefix(p))
        })
        .filter_map(|l| l.split([' ', '(']).next())
        .collect()
}

/// Exports `caps` (named `files`) and `alerts` into the database at `db`, creating it if needed.
pub fn export(
    db: &Path,
    files: &[String],
    caps: &[Capture],
    alerts: &[AlertRow],
) -> Result<ExportSummary, SqlError> {
    export_watched(db, files, caps, alerts, &|_| {})
}

/// [`export`], telling `progress` how many more events are in the database
/// from time to time (for a progress bar).
pub fn export_watched(
    db: &Path,
    files: &[String],
    caps: &[Capture],
    alerts: &[AlertRow],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ExportSummary, SqlError> {
    let rt = runtime()?;
    // Rows are made on every core by a producer thread while this one feeds SQLite.
    std::thread::scope(|scope| {
        rt.block_on(async {
            claim_output(db)?;
            let mut conn = open(db, true).await?;
            // Nothing in the file runs with shrike's rights: no trigger, no
            // view or table of someone else's making (a trigger planted in a
            // database once swallowed every alert an export wrote).
            sqlx::raw_sql("PRAGMA trusted_schema = OFF")
                .execute(&mut conn)
                .await?;
            let known = schema_names();
            let objects: Vec<(String, String)> = sqlx::query_as(
                "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&mut conn)
            .await?;
            if let Some((ty, name)) = objects
                .iter()
                .find(|(ty, name)| ty == "trigger" || !known.contains(&name.as_str()))
            {
                return Err(SqlError::Unsafe {
                    path: db.display().to_string(),
                    why: format!(
                        "holds a {ty} `{name}` that shrike's schema does not have: export into a new file"
                    ),
                });
            }
            // Adding this version's tables beside another version's would
            // leave half of each.
            let version: i64 = sqlx::query_scalar("PRAGMA user_version")
                .fetch_one(&mut conn)
                .await?;
            let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_schema")
                .fetch_one(&mut conn)
                .await?;
            if tables > 0 && version != SCHEMA_VERSION {
                return Err(SqlError::OtherSchema(version));
            }
            sqlx::raw_sql(SCHEMA).execute(&mut conn).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {SCHEMA_VERSION}"
            )))
            .execute(&mut conn)
            .await?;
            // Every id an export writes comes from rows it wrote first (the
            // capture, the process lives, the event), so checking each foreign
            // key as it is inserted only repeats that: it cost a fifth of a
            // 10 M-event export. The tests check the result with
            // `PRAGMA foreign_key_check`; queries keep the checks on.
            sqlx::raw_sql("PRAGMA foreign_keys = OFF")
                .execute(&mut conn)
                .await?;
            // Loading without the secondary indexes, then building them once, is far faster.
            for name in index_names() {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
                    .execute(&mut conn)
                    .await?;
            }
            let mut summary = ExportSummary::default();
            for (i, (file, cap)) in files.iter().zip(caps).enumerate() {
                let id = cap.header().file_id_hex();
                let exists: Option<(i64, i64)> =
                    sqlx::query_as("SELECT capture_id, events FROM captures WHERE file_id = ?")
                        .bind(&id)
                        .fetch_optional(&mut conn)
                        .await?;
                let now = cap.event_count();
                let replace = match exists {
                    // A capture only grows: fewer events now is a cut copy, not news.
                    Some((_, before)) if before as u64 >= now => {
                        summary.already.push(file.clone());
                        continue;
                    }
                    Some((capture_id, before)) => {
                        summary.grown.push((file.clone(), before as u64, now));
                        Some(capture_id)
                    }
                    None => None,
                };
                let mine: Vec<&AlertRow> = alerts.iter().filter(|a| a.capture == i).collect();
                summary.rows += export_one(
                    &mut conn,
                    file,
                    cap,
                    &mine,
                    replace,
                    scope,
                    &mut summary.tree_time,
                    progress,
                )
                .await?;
                summary.exported.push(file.clone());
            }
            let started = std::time::Instant::now();
            sqlx::raw_sql(INDEXES).execute(&mut conn).await?;
            summary.index_time = started.elapsed();
            conn.close().await?;
            Ok(summary)
        })
    })
}

/// The names of the indexes in [`INDEXES`].
fn index_names() -> impl Iterator<Item = &'static str> {
    INDEXES
        .lines()
        .filter_map(|l| l.strip_prefix("CREATE INDEX IF NOT EXISTS "))
        .filter_map(|l| l.split_whitespace().next())
}

/// A table rows are bulk-inserted into, and the columns each row gives.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
}

static EVENTS: Table = Table {
    name: "event_rows",
    columns: &[
        "event_id",
        "capture_id",
        "process_id",
        "ts_ns",
        "kind",
        "pid",
        "tid",
        "comm",
        "uid",
        "euid",
        "cgroup",
        "res",
        "detail",
    ],
};
static FILES: Table = Table {
    name: "files",
    columns: &[
        "event_id",
        "operation",
        "path",
        "path2",
        "flags",
        "mode",
        "res",
        "resolved",
        "created",
    ],
};
static CONTAINERS: Table = Table {
    name: "containers",
    columns: &[
        "capture_id",
        "event_id",
        "cgroup",
        "container_id",
        "runtime",
        "name",
        "image",
        "privileged",
        "pod",
        "namespace",
    ],
};
static NETWORK: Table = Table {
    name: "network",
    columns: &[
        "event_id",
        "operation",
        "proto",
        "local_ip",
        "local_port",
        "remote_ip",
        "remote_port",
        "res",
    ],
};
static COMMANDS: Table = Table {
    name: "commands",
    columns: &[
        "event_id",
        "process_id",
        "ts_ns",
        "exe",
        "cmdline",
        "sha256",
    ],
};
static DNS: Table = Table {
    name: "dns",
    columns: &[
        "event_id",
        "direction",
        "name",
        "type",
        "rcode",
        "answers",
        "server_ip",
        "server_port",
        "proto",
    ],
};
static BYTES: Table = Table {
    name: "bytes_moved",
    columns: &[
        "event_id",
        "fd",
        "fdtype",
        "path",
        "proto",
        "local_ip",
        "local_port",
        "remote_ip",
        "remote_port",
        "bytes_read",
        "bytes_written",
        "reads",
        "writes",
        "until",
    ],
};
static LOST: Table = Table {
    name: "lost",
    columns: &["capture_id", "time", "count"],
};

/// Rows per multi-row INSERT: under SQLite's 32766 bound parameters at 13 per event row.
const ROWS_PER_STATEMENT: usize = 500;

/// The statement inserting `rows` rows into `t` for the capture `capture_id`.
/// The capture's id is written into the statement, not bound to every row:
/// binding a value costs the thread running SQLite, and it is the same for
/// all rows of an export.
fn insert_sql(t: &Table, rows: usize, capture_id: i64) -> String {
    let values: Vec<String> = t
        .columns
        .iter()
        .map(|&c| {
            if c == "capture_id" {
                capture_id.to_string()
            } else {
                "?".to_string()
            }
        })
        .collect();
    let one = format!("({})", values.join(","));
    format!(
        "INSERT INTO {} ({}) VALUES {}",
        t.name,
        t.columns.join(", "),
        vec![one; rows].join(",")
    )
}

/// Rows of one table with their values already bound: made on the worker
/// threads, so the connection's thread only runs SQLite.
struct Batch {
    table: &'static Table,
    rows: usize,
    args: SqliteArguments,
}

/// Collects rows for one table into batches of [`ROWS_PER_STATEMENT`].
struct Batcher {
    table: &'static Table,
    rows: usize,
    args: SqliteArguments,
}

impl Batcher {
    fn new(table: &'static Table) -> Self {
        Batcher {
            table,
            rows: 0,
            args: SqliteArguments::default(),
        }
    }

    /// Binds one value of the current row.
    fn bind<'t>(&mut self, v: impl sqlx::Encode<'t, Sqlite> + sqlx::Type<Sqlite>) -> &mut Self {
        // Integers, text and NULL, the only values shrike binds, always encode.
        sqlx::Arguments::add(&mut self.args, v).expect("an integer or text value encodes");
        self
    }

    /// Ends the current row, moving a full batch to `out`.
    fn end_row(&mut self, out: &mut Vec<Batch>) {
        self.rows += 1;
        if self.rows == ROWS_PER_STATEMENT {
            self.flush(out);
        }
    }

    fn flush(&mut self, out: &mut Vec<Batch>) {
        if self.rows > 0 {
            out.push(Batch {
                table: self.table,
                rows: std::mem::take(&mut self.rows),
                args: std::mem::take(&mut self.args),
            });
        }
    }
}

/// Decodes chunk `c` into bound rows for every table (the capture's id is
/// in the statements); its first event gets id `first_id`. A damaged chunk
/// gives the rows of the events before its fault (`chunks::read_chunk`).
fn chunk_rows(
    caps: &[Capture],
    c: &shrike_analyze::chunks::ChunkRef,
    first_id: i64,
    lives: &HashMap<u32, Vec<(i128, i64)>>,
) -> Result<Vec<Batch>, String> {
    let h = caps[c.file].header();
    let life_of = |pid: u32, now: i128| -> Option<i64> {
        let l = lives.get(&pid)?;
        l.iter()
            .rev()
            .find(|(start, _)| *start <= now)
            .or(l.first())
            .map(|&(_, id)| id)
    };
    // Text values are shared, not copied per row: sqlx keeps each bound text
    // in its own allocation, freed on the thread that runs SQLite, which is
    // the one every row waits for.
    static KINDS: std::sync::LazyLock<Vec<std::sync::Arc<str>>> = std::sync::LazyLock::new(|| {
        (0..=u16::from(u8::MAX))
            .map(|id| {
                shrike_format::Kind::from_id(id)
                    .map_or("unknown", |k| k.name())
                    .into()
            })
            .collect()
    });
    let mut comms: HashMap<Vec<u8>, std::sync::Arc<str>> = HashMap::new();
    let mut out = Vec::new();
    let (mut ev, mut fi, mut ne, mut co, mut lo, mut ct, mut dn, mut by) = (
        Batcher::new(&EVENTS),
        Batcher::new(&FILES),
        Batcher::new(&NETWORK),
        Batcher::new(&COMMANDS),
        Batcher::new(&LOST),
        Batcher::new(&CONTAINERS),
        Batcher::new(&DNS),
        Batcher::new(&BYTES),
    );
    let mut failed = None;
    shrike_analyze::chunks::read_chunk(
        caps,
        c,
        shrike_analyze::chunks::ALL_KINDS,
        shrike_format::CommonColumns::ALL,
        |n, e| {
            let id = first_id + i64::from(n);
            let now = wall_ns(h, e.ts);
            let kind = &KINDS[usize::from(e.kind_id().min(255))];
            let comm = match comms.get(e.comm) {
                Some(c) => c.clone(),
                None => comms
                    .entry(e.comm.to_vec())
                    .or_insert_with(|| s(e.comm).into())
                    .clone(),
            };
            let res = e.body.res();
            let Some(process_id) = life_of(e.pid, now) else {
                failed = Some(format!(
                    "pid {} has an event but no process (timeline bug)",
                    e.pid
                ));
                return false;
            };
            ev.bind(id)
                .bind(process_id)
                .bind(now as i64)
                .bind(kind.clone())
                .bind(i64::from(e.pid))
                .bind(i64::from(e.tid))
                .bind(comm)
                .bind(i64::from(e.uid))
                .bind(i64::from(e.euid))
                .bind(e.cgroup as i64)
                .bind(res)
                .bind(text(detail_json(&e.body)))
                .end_row(&mut out);
            // A request through io_uring: `io_uring:` and the syscall whose
            // work it did (`io_uring:openat`), in the file and network rows.
            let operation = match &e.body {
                shrike_format::Body::IoUring { .. } => std::sync::Arc::from(format!(
                    "io_uring:{}",
                    shrike_analyze::fields::evt_type(e)
                )),
                _ => kind.clone(),
            };
            if let Some(FileRow(path, path2, flags, mode)) = file_row(&e.body) {
                fi.bind(id)
                    .bind(operation.clone())
                    .bind(text(path))
                    .bind(path2.map(text))
                    .bind(flags)
                    .bind(mode)
                    .bind(res)
                    .bind(resolved(&e.body))
                    .bind(shrike_analyze::fields::opened(&e.body).map(|o| o.created as i64))
                    .end_row(&mut out);
            }
            if let Some(NetRow(proto, lip, lport, rip, rport)) = net_row(&e.body) {
                ne.bind(id)
                    .bind(operation)
                    .bind(proto)
                    .bind(lip.map(text))
                    .bind(lport)
                    .bind(rip.map(text))
                    .bind(rport)
                    .bind(res)
                    .end_row(&mut out);
            }
            if let Some(st) = e.body.started() {
                // Kernel threads (snapshots without argv) ran no command.
                if !st.argv.is_empty() {
                    co.bind(id)
                        .bind(process_id)
                        .bind(now as i64)
                        .bind(text(Escaped(st.exe).to_string()))
                        .bind(text(command_line(st.argv)))
                        .bind(None::<String>)
                        .end_row(&mut out);
                }
            }
            if let Body::Container {
                cgroup,
                id: cid,
                runtime,
                name,
                image,
                privileged,
                pod,
                namespace,
            } = &e.body
            {
                let opt = |b: &[u8]| (!b.is_empty()).then(|| text(s(b)));
                ct.bind(id)
                    .bind(*cgroup as i64)
                    .bind(text(s(cid)))
                    .bind(opt(runtime))
                    .bind(opt(name))
                    .bind(opt(image))
                    .bind(*privileged as i64)
                    .bind(opt(pod))
                    .bind(opt(namespace))
                    .end_row(&mut out);
            }
            if let Body::Dns {
                raddr, proto, dir, ..
            } = &e.body
            {
                let m = shrike_analyze::dns::message(&e.body);
                let esc = |b: &[u8]| text(Escaped(b).to_string());
                let (name, ty) = match m.as_ref().and_then(|m| m.question.as_ref()) {
                    Some((n, t)) => (
                        Some(esc(n)),
                        Some(text(shrike_analyze::dns::type_name(*t).into_owned())),
                    ),
                    None => (None, None),
                };
                // Bytes that are no DNS message: their direction says which.
                let response = m.as_ref().map_or(*dir == 2, |m| m.response);
                dn.bind(id)
                    .bind(text(if response { "response" } else { "query" }.into()))
                    .bind(name)
                    .bind(ty)
                    .bind(
                        m.as_ref()
                            .filter(|m| m.response)
                            .map(|m| text(shrike_analyze::dns::rcode_name(m.rcode).into_owned())),
                    )
                    .bind(
                        m.as_ref()
                            .filter(|m| m.response)
                            .map(|m| esc(&m.answer_list())),
                    )
                    .bind(raddr.ip().map(|ip| text(ip.to_string())))
                    .bind(raddr.port().filter(|p| *p != 0).map(i64::from))
                    .bind(*proto as i64)
                    .end_row(&mut out);
            }
            if let Body::FdIo {
                fd,
                fdtype,
                path,
                proto,
                laddr,
                raddr,
                read,
                written,
                reads,
                writes,
                until,
            } = &e.body
            {
                let socket = *fdtype == shrike_format::fdtype::SOCKET;
                let ip = |a: &shrike_format::SockAddr<&[u8]>| a.ip().map(|i| text(i.to_string()));
                let port = |a: &shrike_format::SockAddr<&[u8]>| {
                    a.port().filter(|p| *p != 0).map(i64::from)
                };
                by.bind(id)
                    .bind(*fd)
                    .bind(text(if socket { "socket" } else { "file" }.into()))
                    .bind((!path.is_empty()).then(|| text(Escaped(path).to_string())))
                    .bind(*proto as i64)
                    .bind(ip(laddr))
                    .bind(port(laddr))
                    .bind(ip(raddr))
                    .bind(port(raddr))
                    .bind(*read as i64)
                    .bind(*written as i64)
                    .bind(*reads as i64)
                    .bind(*writes as i64)
                    .bind(text(
                        match until {
                            1 => "close",
                            2 => "exit",
                            3 => "recording stop",
                            _ => "exec",
                        }
                        .into(),
                    ))
                    .end_row(&mut out);
            }
            if let Body::Lost { count } = e.body {
                lo.bind(rfc3339(now)).bind(count as i64).end_row(&mut out);
            }
            true
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }
    for b in [
        &mut ev, &mut fi, &mut ne, &mut co, &mut lo, &mut ct, &mut dn, &mut by,
    ] {
        b.flush(&mut out);
    }
    // Foreign keys: a chunk's events go in before the rows that point at them.
    out.sort_by_key(|b| !std::ptr::eq(b.table, &EVENTS));
    Ok(out)
}

/// A text value as sqlx keeps it with one allocation (a `String` it wraps
/// in a second one), so the thread running SQLite frees one, not two.
fn text(s: String) -> std::sync::Arc<str> {
    s.into()
}

/// Deletes every row of capture `capture_id` (the caller's transaction
/// makes the delete and the new rows one change).
async fn delete_capture(tx: &mut SqliteConnection, capture_id: i64) -> Result<(), SqlError> {
    for sql in [
        "DELETE FROM files WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1)",
        "DELETE FROM network WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1)",
        "DELETE FROM commands WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1)",
        "DELETE FROM dns WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1)",
        "DELETE FROM bytes_moved WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1)",
        "DELETE FROM event_rows WHERE capture_id = ?1",
        "DELETE FROM processes WHERE capture_id = ?1",
        "DELETE FROM alerts WHERE capture_id = ?1",
        "DELETE FROM lost WHERE capture_id = ?1",
        "DELETE FROM containers WHERE capture_id = ?1",
        "DELETE FROM captures WHERE capture_id = ?1",
    ] {
        sqlx::query(sql).bind(capture_id).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Writes one capture's rows in one transaction; with `replace`, in place
/// of that earlier export of it.
#[allow(clippy::too_many_arguments)]
async fn export_one<'s, 'env>(
    conn: &mut SqliteConnection,
    file: &str,
    cap: &'env Capture,
    alerts: &[&AlertRow],
    replace: Option<i64>,
    scope: &'s std::thread::Scope<'s, 'env>,
    tree_time: &mut std::time::Duration,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, SqlError> {
    let bad = |what: String| SqlError::Capture {
        file: file.to_string(),
        what,
    };
    let h = cap.header();
    let caps = std::slice::from_ref(cap);
    let started = std::time::Instant::now();
    let t = build(
        caps,
        &Selection {
            tree_only: true,
            ..Selection::default()
        },
    )
    .map_err(|e| bad(e.to_string()))?;
    *tree_time += started.elapsed();
    let mut tx = conn.begin().await?;
    if let Some(old) = replace {
        delete_capture(&mut tx, old).await?;
    }
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
        stored("processes", chunk.len(), q.build().execute(&mut *tx).await?)?;
        rows += chunk.len() as u64;
    }
    // Each event belongs to the life of its pid that had begun by then.
    let mut lives: HashMap<u32, Vec<(i128, i64)>> = HashMap::new();
    for (i, p) in t.processes.iter().enumerate() {
        lives
            .entry(p.pid)
            .or_default()
            .push((p.start_ns, base + i as i64));
    }
    drop(t);
    let event_base: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(event_id), 0) + 1 FROM event_rows")
            .fetch_one(&mut *tx)
            .await?;
    // Event ids follow the file: chunk by chunk, event by event.
    let chunks = shrike_analyze::chunks::in_file_order(caps);
    let (send, recv) = std::sync::mpsc::sync_channel::<Result<Vec<Vec<Batch>>, String>>(2);
    let producer = scope.spawn(move || {
        let window = rayon::current_num_threads().max(1) * 2;
        for w in chunks.chunks(window) {
            let rows = w
                .par_iter()
                .map(|c| {
                    let first_id = event_base + c.events_before as i64;
                    chunk_rows(caps, c, first_id, &lives)
                })
                .collect::<Result<Vec<_>, _>>();
            let failed = rows.is_err();
            // The consumer stops at an error or a failed insert; either way, stop here too.
            if send.send(rows).is_err() || failed {
                return;
            }
        }
    });
    let full: HashMap<&'static str, std::sync::Arc<str>> = [
        &EVENTS,
        &FILES,
        &NETWORK,
        &COMMANDS,
        &LOST,
        &CONTAINERS,
        &DNS,
        &BYTES,
    ]
    .into_iter()
    .map(|t| (t.name, insert_sql(t, ROWS_PER_STATEMENT, capture_id).into()))
    .collect();
    let mut outcome = Ok(());
    for window in recv.iter() {
        let window = match window {
            Ok(w) => w,
            Err(e) => {
                outcome = Err(bad(e));
                break;
            }
        };
        for b in window.into_iter().flatten() {
            let events = std::ptr::eq(b.table, &EVENTS);
            match insert_batch(&mut tx, &full, capture_id, b).await {
                Ok(n) => {
                    rows += n;
                    if events {
                        progress(n);
                    }
                }
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        if outcome.is_err() {
            break;
        }
    }
    // Hanging up makes the producer stop at its next window.
    drop(recv);
    producer.join().expect("row producer does not panic");
    outcome?;
    // Each program's hash, from the exe_hash event its exec has beside it
    // (same process, same instant: found through the time index).
    sqlx::query(
        "UPDATE commands SET sha256 = (SELECT json_extract(h.detail, '$.sha256') FROM event_rows x \
         JOIN event_rows h ON h.ts_ns = x.ts_ns AND h.pid = x.pid AND h.kind = 'exe_hash' \
         AND h.capture_id = x.capture_id AND json_extract(h.detail, '$.sha256') != '' \
         WHERE x.event_id = commands.event_id) \
         WHERE event_id IN (SELECT event_id FROM event_rows WHERE capture_id = ?1 AND kind != 'exe_hash')",
    )
    .bind(capture_id)
    .execute(&mut *tx)
    .await?;
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
        stored("alerts", chunk.len(), q.build().execute(&mut *tx).await?)?;
        rows += chunk.len() as u64;
    }
    tx.commit().await?;
    Ok(rows)
}

/// Runs one batch's INSERT; returns its row count.
async fn insert_batch(
    tx: &mut SqliteConnection,
    full: &HashMap<&'static str, std::sync::Arc<str>>,
    capture_id: i64,
    b: Batch,
) -> Result<u64, SqlError> {
    // Full batches share one statement text, so SQLite prepares it once.
    let sql = match full.get(b.table.name) {
        Some(sql) if b.rows == ROWS_PER_STATEMENT => sql.clone(),
        _ => insert_sql(b.table, b.rows, capture_id).into(),
    };
    let done = sqlx::query_with(sqlx::AssertSqlSafe(sql), b.args)
        .execute(&mut *tx)
        .await?;
    stored(b.table.name, b.rows, done)?;
    Ok(b.rows as u64)
}

/// Checks that an insert of `inserted` rows into `table` stored them all (a
/// trigger's `RAISE(IGNORE)` makes SQLite skip rows without an error).
fn stored(
    table: &'static str,
    inserted: usize,
    done: sqlx::sqlite::SqliteQueryResult,
) -> Result<(), SqlError> {
    if done.rows_affected() == inserted as u64 {
        Ok(())
    } else {
        Err(SqlError::RowsDropped {
            table,
            inserted: inserted as u64,
            stored: done.rows_affected(),
        })
    }
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

/// Whether `sql` is one statement that only reads, as SQLite itself judges
/// it (`sqlite3_stmt_readonly`: `VACUUM INTO`, `ATTACH` and every write are
/// not); `Err` says why not.
async fn one_read_only_statement(conn: &mut SqliteConnection, sql: &str) -> Result<(), SqlError> {
    use libsqlite3_sys as ffi;
    let mut handle = conn.lock_handle().await?;
    let db = handle.as_raw_handle().as_ptr();
    let text = std::ffi::CString::new(sql)
        .map_err(|_| SqlError::NotAQuery("the query contains a NUL byte".into()))?;
    let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
    let mut tail: *const std::ffi::c_char = std::ptr::null();
    // SAFETY: `db` is the open connection `handle` keeps locked; `text`
    // outlives the call; the statement is finalized before returning.
    let (rc, readonly, rest) = unsafe {
        let rc = ffi::sqlite3_prepare_v2(db, text.as_ptr(), -1, &mut stmt, &mut tail);
        let readonly = !stmt.is_null() && ffi::sqlite3_stmt_readonly(stmt) != 0;
        let rest = if tail.is_null() {
            String::new()
        } else {
            std::ffi::CStr::from_ptr(tail)
                .to_string_lossy()
                .into_owned()
        };
        ffi::sqlite3_finalize(stmt);
        (rc, readonly, rest)
    };
    if rc != ffi::SQLITE_OK {
        return Ok(()); // SQLite's own error comes when sqlx prepares it
    }
    if !rest.trim().trim_start_matches(';').trim().is_empty() {
        return Err(SqlError::NotAQuery(
            "one statement at a time: the text goes on after the first statement's `;`".into(),
        ));
    }
    if !readonly {
        return Err(SqlError::NotAQuery(
            "shrike sql only reads: the statement would change a database or write a file (INSERT, UPDATE, DELETE, DROP, CREATE, VACUUM, …)".into(),
        ));
    }
    Ok(())
}

/// Runs the read-only query `sql` on the database at `db`, opened read-only
/// (evidence is not changed by looking at it); returns column names and rows.
pub fn query(db: &Path, sql: &str) -> Result<(Vec<String>, Vec<Vec<Cell>>), SqlError> {
    runtime()?.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(db)
            .read_only(true)
            .pragma("query_only", "ON")
            .connect()
            .await?;
        one_read_only_statement(&mut conn, sql).await?;
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

#[cfg(test)]
mod tests {
    #[test]
    fn rows_a_trigger_swallows_are_noticed() {
        // What a planted trigger did to every alert: RAISE(IGNORE) drops the
        // row, and the INSERT still succeeds.
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        super::runtime().unwrap().block_on(async {
            let mut c = super::open(&db, true).await.unwrap();
            sqlx::raw_sql(
                "CREATE TABLE alerts (x); CREATE TRIGGER eat BEFORE INSERT ON alerts \
                 BEGIN SELECT RAISE(IGNORE); END;",
            )
            .execute(&mut c)
            .await
            .unwrap();
            let done = sqlx::query("INSERT INTO alerts VALUES (1), (2)")
                .execute(&mut c)
                .await
                .unwrap();
            let e = super::stored("alerts", 2, done).unwrap_err();
            assert!(e.to_string().contains("0 of 2 rows"), "{e}");
            let done = sqlx::query("CREATE TABLE ok (x)")
                .execute(&mut c)
                .await
                .unwrap();
            assert!(super::stored("ok", 0, done).is_ok());
        });
    }
}
