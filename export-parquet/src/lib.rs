//! shrike captures as a Parquet dataset for the engines fleets already run
//! (DuckDB, Spark, Trino/Athena): one table per event class, columns named
//! after OCSF's attributes (`.` written `_`), Hive partitions by host and
//! day, so the exports of many hosts drop into one dataset. `docs/fleet.md`
//! documents the tables and the queries.
//!
//! Layout: `DIR/TABLE/host=HOST/day=YYYY-MM-DD/FILE_ID.parquet`. A capture's
//! rows go in files named by its file id, so exporting it again replaces
//! them (no duplicates), and a capture that grew since is written whole.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Int32Builder, Int64Builder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use rayon::prelude::*;
use shrike_analyze::history::History;
use shrike_analyze::rows::{FileRow, NetRow, detail_json, file_row, net_row, resolved, s};
use shrike_analyze::scan::AlertRow;
use shrike_analyze::time::{rfc3339, wall_ns};
use shrike_analyze::timeline::{Selection, build};
use shrike_format::linux::uring_op;
use shrike_format::{Body, Capture, Class, EventRef, Header, Kind};

/// What went wrong, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// Reading or writing a file of the dataset.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The Parquet writer refused.
    #[error("{path}: {source}")]
    Parquet {
        /// The file being written.
        path: String,
        /// The error.
        source: parquet::errors::ParquetError,
    },
    /// A capture could not be read.
    #[error("{file}: {what}")]
    Capture {
        /// The capture.
        file: String,
        /// What was wrong.
        what: String,
    },
}

/// What an export did.
#[derive(Clone, Debug, Default)]
pub struct ParquetSummary {
    /// Rows written per table.
    pub rows: BTreeMap<&'static str, u64>,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Captures whose earlier files were replaced.
    pub replaced: Vec<String>,
}

/// A column: its name, type and whether it may be null.
type Column = (&'static str, Kind2, bool);

/// Column types the dataset uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind2 {
    I32,
    I64,
    Str,
    Bool,
    /// OCSF's timestamp: ms since the epoch, UTC.
    Ms,
}

/// The columns every activity table starts with.
const COMMON: &[Column] = &[
    ("time", Kind2::Ms, false),
    ("time_ns", Kind2::I64, false),
    ("class_uid", Kind2::I32, false),
    ("class_name", Kind2::Str, false),
    ("activity_id", Kind2::I32, false),
    ("activity_name", Kind2::Str, false),
    ("type_uid", Kind2::I64, false),
    ("status_id", Kind2::I32, false),
    ("status_code", Kind2::Str, true),
    ("kind", Kind2::Str, false),
    ("device_hostname", Kind2::Str, false),
    ("capture_file_id", Kind2::Str, false),
    ("metadata_sequence", Kind2::I64, false),
    ("actor_process_pid", Kind2::I64, false),
    ("actor_process_tid", Kind2::I64, false),
    ("actor_process_name", Kind2::Str, false),
    ("actor_process_cmd_line", Kind2::Str, true),
    ("actor_process_file_path", Kind2::Str, true),
    ("actor_process_parent_process_pid", Kind2::I64, true),
    ("actor_user_uid", Kind2::I64, false),
    ("actor_user_name", Kind2::Str, true),
    ("container_uid", Kind2::Str, true),
    ("container_name", Kind2::Str, true),
    ("container_image_name", Kind2::Str, true),
    ("detail", Kind2::Str, false),
];

/// The tables, their own columns after [`COMMON`] (activity tables) or all
/// their columns (the others).
const TABLES: &[(&str, bool, &[Column])] = &[
    (
        "process_activity",
        true,
        &[
            ("process_pid", Kind2::I64, true),
            ("process_cmd_line", Kind2::Str, true),
            ("process_file_path", Kind2::Str, true),
            ("process_parent_process_pid", Kind2::I64, true),
            ("process_file_hash_sha256", Kind2::Str, true),
        ],
    ),
    (
        "file_activity",
        true,
        &[
            ("file_path", Kind2::Str, true),
            ("file_result_path", Kind2::Str, true),
            ("file_mode", Kind2::I64, true),
            ("flags", Kind2::I64, true),
            ("file_path_resolved", Kind2::Bool, true),
            ("bytes_read", Kind2::I64, true),
            ("bytes_written", Kind2::I64, true),
        ],
    ),
    (
        "network_activity",
        true,
        &[
            ("connection_info_protocol_num", Kind2::I32, true),
            ("src_endpoint_ip", Kind2::Str, true),
            ("src_endpoint_port", Kind2::I32, true),
            ("dst_endpoint_ip", Kind2::Str, true),
            ("dst_endpoint_port", Kind2::I32, true),
            ("traffic_bytes_in", Kind2::I64, true),
            ("traffic_bytes_out", Kind2::I64, true),
        ],
    ),
    ("kernel_activity", true, &[]),
    (
        "dns_activity",
        true,
        &[
            ("query_hostname", Kind2::Str, true),
            ("query_type", Kind2::Str, true),
            ("rcode", Kind2::Str, true),
            ("rcode_id", Kind2::I32, true),
            ("answers_rdata", Kind2::Str, true),
            ("connection_info_protocol_num", Kind2::I32, true),
            ("src_endpoint_ip", Kind2::Str, true),
            ("src_endpoint_port", Kind2::I32, true),
            ("dst_endpoint_ip", Kind2::Str, true),
            ("dst_endpoint_port", Kind2::I32, true),
        ],
    ),
    (
        "processes",
        false,
        &[
            ("process_uid", Kind2::Str, false),
            ("parent_process_uid", Kind2::Str, true),
            ("device_hostname", Kind2::Str, false),
            ("capture_file_id", Kind2::Str, false),
            ("pid", Kind2::I64, false),
            ("ppid", Kind2::I64, false),
            ("cmd_line", Kind2::Str, true),
            ("file_path", Kind2::Str, true),
            ("user_name", Kind2::Str, true),
            ("created_time", Kind2::Ms, false),
            ("created_time_ns", Kind2::I64, false),
            ("terminated_time", Kind2::Ms, true),
            ("terminated_time_ns", Kind2::I64, true),
            ("exit_code", Kind2::I64, true),
            ("exit_signal", Kind2::Str, true),
        ],
    ),
    (
        "alerts",
        false,
        &[
            ("time", Kind2::Ms, false),
            ("time_ns", Kind2::I64, false),
            ("class_uid", Kind2::I32, false),
            ("finding_info_title", Kind2::Str, false),
            ("severity", Kind2::Str, false),
            ("severity_id", Kind2::I32, false),
            ("message", Kind2::Str, false),
            ("actor_process_pid", Kind2::I64, false),
            ("device_hostname", Kind2::Str, false),
            ("capture_file_id", Kind2::Str, false),
        ],
    ),
    (
        "captures",
        false,
        &[
            ("capture_file_id", Kind2::Str, false),
            ("file", Kind2::Str, false),
            ("device_hostname", Kind2::Str, false),
            ("kernel", Kind2::Str, false),
            ("boot_id", Kind2::Str, false),
            ("recorder", Kind2::Str, false),
            ("first_time", Kind2::Ms, true),
            ("last_time", Kind2::Ms, true),
            ("events", Kind2::I64, false),
            ("lost", Kind2::I64, false),
        ],
    ),
];

const PROCESS: usize = 0;
const FILE: usize = 1;
const NETWORK: usize = 2;
const KERNEL: usize = 3;
const DNS: usize = 4;
const PROCESSES: usize = 5;
const ALERTS: usize = 6;
const CAPTURES: usize = 7;

/// The names of the dataset's tables (its top-level directories).
pub fn table_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().map(|t| t.0)
}

/// Every column of table `t`, in order.
fn columns(t: usize) -> Vec<Column> {
    let (_, activity, own) = TABLES[t];
    let mut all = if activity {
        COMMON.to_vec()
    } else {
        Vec::new()
    };
    all.extend_from_slice(own);
    all
}

/// The Arrow schema of table `t`.
fn schema(t: usize) -> SchemaRef {
    static SCHEMAS: std::sync::LazyLock<Vec<SchemaRef>> = std::sync::LazyLock::new(|| {
        (0..TABLES.len())
            .map(|t| {
                Arc::new(Schema::new(
                    columns(t)
                        .into_iter()
                        .map(|(name, ty, null)| {
                            let dt = match ty {
                                Kind2::I32 => DataType::Int32,
                                Kind2::I64 => DataType::Int64,
                                Kind2::Str => DataType::Utf8,
                                Kind2::Bool => DataType::Boolean,
                                Kind2::Ms => {
                                    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
                                }
                            };
                            Field::new(name, dt, null)
                        })
                        .collect::<Vec<_>>(),
                ))
            })
            .collect()
    });
    SCHEMAS[t].clone()
}

/// A column being built.
enum Builder {
    I32(Int32Builder),
    I64(Int64Builder),
    Str(StringBuilder),
    Bool(BooleanBuilder),
    Ms(TimestampMillisecondBuilder),
}

/// Rows of one table being built: values are appended in column order,
/// one row after the other.
struct Rows {
    table: usize,
    cols: Vec<Builder>,
    next: usize,
    len: usize,
}

impl Rows {
    fn new(table: usize) -> Rows {
        let cols = columns(table)
            .into_iter()
            .map(|(_, ty, _)| match ty {
                Kind2::I32 => Builder::I32(Int32Builder::new()),
                Kind2::I64 => Builder::I64(Int64Builder::new()),
                Kind2::Str => Builder::Str(StringBuilder::new()),
                Kind2::Bool => Builder::Bool(BooleanBuilder::new()),
                Kind2::Ms => Builder::Ms(TimestampMillisecondBuilder::new().with_timezone("UTC")),
            })
            .collect();
        Rows {
            table,
            cols,
            next: 0,
            len: 0,
        }
    }

    fn col(&mut self) -> &mut Builder {
        self.next += 1;
        &mut self.cols[self.next - 1]
    }

    fn i32(&mut self, v: Option<i32>) -> &mut Self {
        match self.col() {
            Builder::I32(b) => b.append_option(v),
            _ => unreachable!("column type"),
        }
        self
    }

    fn i64(&mut self, v: Option<i64>) -> &mut Self {
        match self.col() {
            Builder::I64(b) => b.append_option(v),
            _ => unreachable!("column type"),
        }
        self
    }

    fn str(&mut self, v: Option<&str>) -> &mut Self {
        match self.col() {
            Builder::Str(b) => b.append_option(v),
            _ => unreachable!("column type"),
        }
        self
    }

    fn bool(&mut self, v: Option<bool>) -> &mut Self {
        match self.col() {
            Builder::Bool(b) => b.append_option(v),
            _ => unreachable!("column type"),
        }
        self
    }

    /// A time, from wall-clock ns: ms in the column.
    fn ms(&mut self, ns: Option<i128>) -> &mut Self {
        match self.col() {
            Builder::Ms(b) => b.append_option(ns.map(|n| n.div_euclid(1_000_000) as i64)),
            _ => unreachable!("column type"),
        }
        self
    }

    fn end_row(&mut self) {
        assert_eq!(
            self.next,
            self.cols.len(),
            "a row of {} is short",
            TABLES[self.table].0
        );
        self.next = 0;
        self.len += 1;
    }

    fn finish(self) -> RecordBatch {
        let arrays: Vec<ArrayRef> = self
            .cols
            .into_iter()
            .map(|c| -> ArrayRef {
                match c {
                    Builder::I32(mut b) => Arc::new(b.finish()),
                    Builder::I64(mut b) => Arc::new(b.finish()),
                    Builder::Str(mut b) => Arc::new(b.finish()),
                    Builder::Bool(mut b) => Arc::new(b.finish()),
                    Builder::Ms(mut b) => Arc::new(b.finish()),
                }
            })
            .collect();
        RecordBatch::try_new(schema(self.table), arrays).expect("columns match the schema")
    }
}

/// The day (UTC) of wall-clock `ns`, as the partition names it.
fn day(ns: i128) -> String {
    rfc3339(ns)[..10].to_string()
}

/// Nanoseconds in a day: rows are grouped by day number, named once per group.
const DAY_NS: i128 = 86_400 * 1_000_000_000;

/// A Hive partition value: bytes outside `[A-Za-z0-9._-]` as `%XX`, as
/// Hive escapes them (a recorded hostname may hold `/`, `..` or `=`), and
/// Hive's name for an empty value.
fn partition_value(v: &str) -> String {
    if v.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    let mut out = String::new();
    for (i, b) in v.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && i > 0);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// OCSF's class, activity and its name for an event of `kind`; `dns` is a
/// `dns` event's message, decoded once for its row.
fn activity(
    kind: Kind,
    b: &Body<&[u8]>,
    dns: Option<&shrike_analyze::dns::Message>,
) -> (usize, i32, i32, &'static str, &'static str) {
    use Kind::*;
    let socket_io = matches!(b, Body::FdIo { fdtype, .. } | Body::IoUring { fdtype, .. }
        if *fdtype == shrike_format::fdtype::SOCKET);
    let (table, class, class_name) = match kind.class() {
        _ if kind == Dns => (DNS, 4003, "DNS Activity"),
        _ if kind == IoUringSetup => (KERNEL, 1003, "Kernel Activity"),
        _ if socket_io => (NETWORK, 4001, "Network Activity"),
        Class::Process => (PROCESS, 1007, "Process Activity"),
        Class::File | Class::Fd => (FILE, 1001, "File System Activity"),
        Class::Network => (NETWORK, 4001, "Network Activity"),
        _ => match kind {
            InitModule | FinitModule | DeleteModule => (KERNEL, 1002, "Kernel Extension Activity"),
            _ => (KERNEL, 1003, "Kernel Activity"),
        },
    };
    let (id, name) = match kind {
        Execve | Execveat => (1, "Launch"),
        ProcExit => (2, "Terminate"),
        Ptrace => (4, "Inject"),
        Setuid | Setreuid | Setresuid | Setfsuid => (5, "Set User ID"),
        Open | Openat | Openat2 | Creat => {
            match shrike_analyze::fields::opened(b).map(|o| o.created) {
                Some(1) => (1, "Create"),
                _ => (14, "Open"),
            }
        }
        Mkdir | Mkdirat | Link | Linkat | Symlink | Symlinkat | MemfdCreate => (1, "Create"),
        Truncate | Ftruncate => (3, "Update"),
        Unlink | Unlinkat | Rmdir => (4, "Delete"),
        Rename | Renameat | Renameat2 => (5, "Rename"),
        Chmod | Fchmod | Fchmodat | Chown | Lchown | Fchown | Fchownat | Setxattr | Lsetxattr
        | Fsetxattr | Removexattr | Lremovexattr | Fremovexattr | Utime | Utimes | Futimesat
        | Utimensat | Ioctl => (6, "Set Attributes"),
        Mount => (12, "Mount"),
        Umount2 => (13, "Unmount"),
        Connect | Accept | Accept4 => (1, "Open"),
        Listen => (7, "Listen"),
        InitModule | FinitModule => (1, "Load"),
        DeleteModule => (2, "Unload"),
        Bpf | Mmap | Mprotect | Syscall => (4, "Invoke"),
        // Bytes moved: a socket's traffic; a file read, or updated.
        FdIo if socket_io => (6, "Traffic"),
        FdIo => match b {
            Body::FdIo { written: 0, .. } => (2, "Read"),
            _ => (3, "Update"),
        },
        IoUringSetup => (4, "Invoke"),
        // A request through io_uring, as the syscall whose work it did.
        IoUring => match (b, shrike_analyze::fields::opened(b)) {
            (_, Some(o)) if o.created == 1 => (1, "Create"),
            (_, Some(_)) => (14, "Open"),
            (Body::IoUring { op, .. }, _)
                if matches!(*op, uring_op::CONNECT | uring_op::ACCEPT) =>
            {
                (1, "Open")
            }
            // A socket's traffic is its `fd_io` row's, which counts the
            // bytes of these requests too.
            (Body::IoUring { op, .. }, _) if !socket_io => {
                match shrike_format::linux::uring_op_writes(*op) {
                    Some(false) => (2, "Read"),
                    Some(true) => (3, "Update"),
                    None => (99, "Other"),
                }
            }
            _ => (99, "Other"),
        },
        Dns => match dns {
            Some(m) if m.response => (2, "Response"),
            Some(_) => (1, "Query"),
            None => (6, "Traffic"),
        },
        _ => (99, "Other"),
    };
    (table, class, id, class_name, name)
}

/// Rows of one chunk, per (table, day).
type ChunkRows = HashMap<(usize, i128), Rows>;

/// A process image's columns as text, made once per chunk and image.
type ImageText = HashMap<*const shrike_analyze::history::Image, (String, String)>;

/// What a chunk turns into text once and reuses: images, and comms.
#[derive(Default)]
struct Texts {
    images: ImageText,
    comms: HashMap<Vec<u8>, String>,
}

/// What every row of a capture shares.
struct Context<'a> {
    header: &'a Header,
    host: &'a str,
    file_id: &'a str,
    history: &'a History,
}

/// The activity row of one event, when it is activity (not a snapshot or a
/// recorder note).
fn event_row(cx: &Context<'_>, num: u64, e: &EventRef<'_>, out: &mut ChunkRows, texts: &mut Texts) {
    let Some(kind) = e.kind() else { return };
    if matches!(kind.class(), Class::Snapshot | Class::Meta) {
        return;
    }
    let dns = shrike_analyze::dns::message(&e.body);
    let (table, class, id, class_name, name) = activity(kind, &e.body, dns.as_ref());
    let now = wall_ns(cx.header, e.ts);
    let res = e.body.res();
    let rows = out
        .entry((table, now.div_euclid(DAY_NS)))
        .or_insert_with(|| Rows::new(table));
    let actor = cx.history.at(e.pid, e.ts);
    let Texts { images, comms } = texts;
    let text = actor.map(|p| {
        &*images
            .entry(Arc::as_ptr(&p.image))
            .or_insert_with(|| (s(&p.image.exeline()), s(p.image.exepath())))
    });
    if !comms.contains_key(e.comm) {
        comms.insert(e.comm.to_vec(), s(e.comm));
    }
    let comm = comms[e.comm].as_str();
    rows.ms(Some(now))
        .i64(Some(now as i64))
        .i32(Some(class))
        .str(Some(class_name))
        .i32(Some(id))
        .str(Some(name))
        .i64(Some(i64::from(class) * 100 + i64::from(id)))
        .i32(Some(match res {
            None => 0,
            Some(r) if r < 0 => 2,
            Some(_) => 1,
        }))
        .str(
            res.filter(|r| *r < 0)
                .map(|r| shrike_format::linux::Names::Errno.render(r as u64))
                .as_deref(),
        )
        .str(Some(kind.name()))
        .str(Some(cx.host))
        .str(Some(cx.file_id))
        .i64(Some(num as i64))
        .i64(Some(i64::from(e.pid)))
        .i64(Some(i64::from(e.tid)))
        .str(Some(comm))
        .str(text.map(|t| t.0.as_str()))
        .str(text.map(|t| t.1.as_str()))
        .i64(actor.map(|p| i64::from(p.ppid)))
        .i64(Some(i64::from(e.uid)))
        .str(cx.header.user_name(e.uid));
    // The container the event's cgroup is, when the recorder named one.
    let ct = cx.history.container(e.cgroup);
    let opt = |b: &[u8]| (!b.is_empty()).then(|| s(b));
    rows.str(ct.and_then(|c| opt(&c.id)).as_deref())
        .str(ct.and_then(|c| opt(&c.name)).as_deref())
        .str(ct.and_then(|c| opt(&c.image)).as_deref())
        .str(Some(&detail_json(&e.body)));
    match table {
        PROCESS => {
            let started = e.body.started();
            let target = match &e.body {
                Body::Ptrace { target_pid, .. } | Body::Kill { target_pid, .. } => {
                    Some(*target_pid)
                }
                _ if started.is_some() => Some(i64::from(e.pid)),
                _ => None,
            };
            rows.i64(target)
                .str(
                    started
                        .map(|s| shrike_analyze::timeline::command_line(s.argv))
                        .as_deref(),
                )
                .str(started.map(|st| s(st.exe)).as_deref())
                .i64(started.map(|s| s.ppid as i64))
                .str(
                    started
                        .and_then(|_| cx.history.exe_sha256(e.pid, e.ts))
                        .map(s)
                        .as_deref(),
                );
        }
        FILE => {
            let f = file_row(&e.body);
            let (path, result, flags, mode) = match f {
                Some(FileRow(p, r, f, m)) => (Some(p), r, f, m),
                // dup: the file the fd is.
                None => match &e.body {
                    Body::Dup { path, .. }
                    | Body::Dup2 { path, .. }
                    | Body::Dup3 { path, .. }
                    | Body::FdIo { path, .. } => {
                        (Some(s(path)).filter(|p| !p.is_empty()), None, None, None)
                    }
                    _ => (None, None, None, None),
                },
            };
            let (read, written) = match &e.body {
                Body::FdIo { read, written, .. } => (Some(*read as i64), Some(*written as i64)),
                _ => (None, None),
            };
            rows.str(path.as_deref())
                .str(result.as_deref())
                .i64(mode)
                .i64(flags)
                .bool(resolved(&e.body).map(|r| r & 1 == 1))
                .i64(read)
                .i64(written);
        }
        NETWORK => {
            // Bytes moved through a socket: its own end is the source.
            let (n, traffic) = match &e.body {
                Body::FdIo {
                    proto,
                    laddr,
                    raddr,
                    read,
                    written,
                    ..
                } => {
                    let ip = |a: &shrike_format::SockAddr<&[u8]>| a.ip().map(|i| i.to_string());
                    let port = |a: &shrike_format::SockAddr<&[u8]>| a.port().map(i64::from);
                    (
                        Some(NetRow(
                            *proto as i64,
                            ip(laddr),
                            port(laddr),
                            ip(raddr),
                            port(raddr),
                        )),
                        (Some(*read as i64), Some(*written as i64)),
                    )
                }
                b => (net_row(b), (None, None)),
            };
            let accepted = matches!(e.body, Body::Accept { .. } | Body::Accept4 { .. });
            match n {
                Some(NetRow(proto, lip, lport, rip, rport)) => {
                    // The initiator is the source: the remote end of an accept.
                    let ((sip, sport), (dip, dport)) = if accepted {
                        ((rip, rport), (lip, lport))
                    } else {
                        ((lip, lport), (rip, rport))
                    };
                    rows.i32(Some(proto as i32))
                        .str(sip.as_deref())
                        .i32(sport.map(|p| p as i32))
                        .str(dip.as_deref())
                        .i32(dport.map(|p| p as i32));
                }
                None => {
                    rows.i32(None).str(None).i32(None).str(None).i32(None);
                }
            }
            rows.i64(traffic.0).i64(traffic.1);
        }
        DNS => {
            let Body::Dns {
                proto,
                laddr,
                raddr,
                ..
            } = &e.body
            else {
                unreachable!("only dns events are DNS activity")
            };
            let q = dns.as_ref().and_then(|m| m.question.as_ref());
            let response = dns.as_ref().filter(|m| m.response);
            let port =
                |a: &shrike_format::SockAddr<&[u8]>| a.port().filter(|p| *p != 0).map(i32::from);
            rows.str(q.map(|q| s(&q.0)).as_deref())
                .str(q.map(|q| shrike_analyze::dns::type_name(q.1)).as_deref())
                .str(
                    response
                        .map(|m| shrike_analyze::dns::rcode_name(m.rcode))
                        .as_deref(),
                )
                .i32(response.map(|m| i32::from(m.rcode)))
                .str(response.map(|m| s(&m.answer_list())).as_deref())
                .i32(Some(*proto as i32))
                .str(laddr.ip().map(|i| i.to_string()).as_deref())
                .i32(port(laddr))
                .str(raddr.ip().map(|i| i.to_string()).as_deref())
                .i32(port(raddr));
        }
        _ => {}
    }
    rows.end_row();
}

/// Severity as OCSF numbers it, from a Falco priority name.
fn severity_id(priority: &str) -> i32 {
    match priority.to_ascii_lowercase().as_str() {
        "emergency" | "alert" => 6,
        "critical" => 5,
        "error" => 4,
        "warning" => 3,
        "notice" => 2,
        "informational" | "info" | "debug" => 1,
        _ => 0,
    }
}

/// Rows in a row group: Parquet's default.
const ROW_GROUP: usize = 1024 * 1024;

/// One Parquet file being written, its columns encoded on every core: the
/// encoding and compression of a file are most of an export's work, and
/// `ArrowWriter` does them on the thread that calls it.
struct ColumnsWriter {
    table: usize,
    file: SerializedFileWriter<std::fs::File>,
    factory: ArrowRowGroupWriterFactory,
    cols: Vec<ArrowColumnWriter>,
    rows: usize,
    groups: usize,
    /// Rows per row group.
    group: usize,
}

impl ColumnsWriter {
    fn new(
        f: std::fs::File,
        table: usize,
        props: WriterProperties,
    ) -> Result<ColumnsWriter, parquet::errors::ParquetError> {
        // Made through `ArrowWriter` for the Arrow schema it stores in the
        // file's metadata, which Arrow readers use.
        let (file, factory) =
            ArrowWriter::try_new(f, schema(table), Some(props))?.into_serialized_writer()?;
        let cols = factory.create_column_writers(0)?;
        Ok(ColumnsWriter {
            table,
            file,
            factory,
            cols,
            rows: 0,
            groups: 0,
            group: ROW_GROUP,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), parquet::errors::ParquetError> {
        let schema = schema(self.table);
        let mut at = 0;
        while at < batch.num_rows() {
            let take = (batch.num_rows() - at).min(self.group - self.rows);
            let part = batch.slice(at, take);
            let mut leaves = Vec::with_capacity(self.cols.len());
            for (field, array) in schema.fields().iter().zip(part.columns()) {
                leaves.extend(compute_leaves(field, array)?);
            }
            self.cols
                .par_iter_mut()
                .zip(leaves.par_iter())
                .try_for_each(|(w, leaf)| w.write(leaf))?;
            self.rows += take;
            at += take;
            if self.rows == self.group {
                self.end_group()?;
            }
        }
        Ok(())
    }

    fn end_group(&mut self) -> Result<(), parquet::errors::ParquetError> {
        if self.rows == 0 {
            return Ok(());
        }
        self.groups += 1;
        let next = self.factory.create_column_writers(self.groups)?;
        let cols = std::mem::replace(&mut self.cols, next);
        let chunks = cols
            .into_par_iter()
            .map(|w| w.close())
            .collect::<Result<Vec<_>, _>>()?;
        let mut group = self.file.next_row_group()?;
        for c in chunks {
            c.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.rows = 0;
        Ok(())
    }

    fn close(mut self) -> Result<(), parquet::errors::ParquetError> {
        self.end_group()?;
        self.file.close()?;
        Ok(())
    }
}

/// The open files of one capture's export: `(table, day)` → writer, each
/// writing a temporary name renamed into place when all is written.
struct Files {
    dir: PathBuf,
    host: String,
    file_id: String,
    open: BTreeMap<(usize, String), (PathBuf, ColumnsWriter)>,
    rows: BTreeMap<&'static str, u64>,
}

impl Files {
    fn final_path(&self, table: usize, day: &str) -> PathBuf {
        self.dir
            .join(TABLES[table].0)
            .join(format!("host={}", self.host))
            .join(format!("day={day}"))
            .join(format!("{}.parquet", self.file_id))
    }

    fn write(
        &mut self,
        table: usize,
        day: String,
        batch: &RecordBatch,
    ) -> Result<(), ParquetError> {
        let key = (table, day);
        if !self.open.contains_key(&key) {
            let path = self.final_path(table, &key.1);
            let parent = path.parent().expect("a partition directory");
            std::fs::create_dir_all(parent).map_err(|source| ParquetError::Io {
                path: parent.display().to_string(),
                source,
            })?;
            let tmp = parent.join(format!(".{}.parquet.partial", self.file_id));
            let f = std::fs::File::create(&tmp).map_err(|source| ParquetError::Io {
                path: tmp.display().to_string(),
                source,
            })?;
            let mut props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()));
            // Values nearly all different gain nothing from a dictionary but its cost.
            for col in [
                "time",
                "time_ns",
                "metadata_sequence",
                "detail",
                "created_time_ns",
            ] {
                props = props.set_column_dictionary_enabled(col.into(), false);
            }
            let props = props.build();
            let w =
                ColumnsWriter::new(f, table, props).map_err(|source| ParquetError::Parquet {
                    path: tmp.display().to_string(),
                    source,
                })?;
            self.open.insert(key.clone(), (tmp, w));
        }
        let (tmp, w) = self.open.get_mut(&key).expect("opened above");
        w.write(batch).map_err(|source| ParquetError::Parquet {
            path: tmp.display().to_string(),
            source,
        })?;
        *self.rows.entry(TABLES[table].0).or_default() += batch.num_rows() as u64;
        Ok(())
    }

    /// Closes every file and renames it into place; removes this capture's
    /// files from an earlier export that this one did not write again.
    /// Returns (files, bytes, whether an earlier export was replaced).
    fn finish(mut self) -> Result<(u64, u64, bool), ParquetError> {
        let mut written = std::collections::HashSet::new();
        let (mut files, mut bytes) = (0, 0);
        let mut replaced = false;
        for ((table, day), (tmp, w)) in std::mem::take(&mut self.open) {
            w.close().map_err(|source| ParquetError::Parquet {
                path: tmp.display().to_string(),
                source,
            })?;
            let dest = self.final_path(table, &day);
            replaced |= dest.exists();
            std::fs::rename(&tmp, &dest).map_err(|source| ParquetError::Io {
                path: dest.display().to_string(),
                source,
            })?;
            bytes += std::fs::metadata(&dest).map(|m| m.len()).unwrap_or(0);
            files += 1;
            written.insert(dest);
        }
        // Files of this capture in partitions this export did not write.
        for t in TABLES {
            let host_dir = self.dir.join(t.0).join(format!("host={}", self.host));
            let Ok(days) = std::fs::read_dir(&host_dir) else {
                continue;
            };
            for d in days.flatten() {
                let old = d.path().join(format!("{}.parquet", self.file_id));
                if old.exists() && !written.contains(&old) {
                    std::fs::remove_file(&old).map_err(|source| ParquetError::Io {
                        path: old.display().to_string(),
                        source,
                    })?;
                    replaced = true;
                }
            }
        }
        Ok((files, bytes, replaced))
    }
}

/// Exports `caps` (named `files`) and `alerts` into the dataset at `dir`
/// (created if needed), telling `progress` how many more events are
/// written from time to time.
pub fn export(
    dir: &Path,
    files: &[String],
    caps: &[Capture],
    alerts: &[AlertRow],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ParquetSummary, ParquetError> {
    let mut summary = ParquetSummary::default();
    for (i, (file, cap)) in files.iter().zip(caps).enumerate() {
        let h = cap.header();
        let file_id = h.file_id_hex();
        let host = partition_value(&h.hostname);
        let one = std::slice::from_ref(cap);
        let history = History::build(one);
        let cx = Context {
            header: h,
            host: &h.hostname,
            file_id: &file_id,
            history: &history,
        };
        let mut out = Files {
            dir: dir.to_path_buf(),
            host,
            file_id: file_id.clone(),
            open: BTreeMap::new(),
            rows: BTreeMap::new(),
        };
        // Events: chunks decoded into columns on every core, a window at a
        // time, by a producer thread, while this one writes the window
        // before, in file order.
        let chunks = shrike_analyze::chunks::in_file_order(one);
        let window = rayon::current_num_threads().max(1) * 2;
        let cx = &cx;
        let tree = std::thread::scope(|scope| -> Result<_, ParquetError> {
            // The process tree is built meanwhile: a pass of its own over
            // the capture's process events.
            let tree = scope.spawn(|| {
                build(
                    one,
                    &Selection {
                        tree_only: true,
                        ..Selection::default()
                    },
                )
            });
            let (send, recv) =
                std::sync::mpsc::sync_channel::<Vec<(usize, String, RecordBatch)>>(2);
            scope.spawn(move || {
                for w in chunks.chunks(window) {
                    let done: Vec<Vec<(usize, String, RecordBatch)>> = w
                        .par_iter()
                        .map(|c| {
                            let mut rows = ChunkRows::new();
                            let mut texts = Texts::default();
                            shrike_analyze::chunks::read_chunk(
                                one,
                                c,
                                shrike_analyze::chunks::ALL_KINDS,
                                shrike_format::CommonColumns::ALL,
                                |n, e| {
                                    let num = c.events_before + u64::from(n);
                                    event_row(cx, num, e, &mut rows, &mut texts);
                                    true
                                },
                            );
                            progress(u64::from(cap.chunks()[c.index].header.stats.events));
                            let mut rows: Vec<_> = rows.into_iter().collect();
                            rows.sort_by_key(|r| r.0);
                            rows.into_iter()
                                .map(|((t, d), r)| (t, day(d * DAY_NS), r.finish()))
                                .collect()
                        })
                        .collect();
                    // The writer hung up: it failed, and says why.
                    if send.send(done.into_iter().flatten().collect()).is_err() {
                        return;
                    }
                }
            });
            for batches in recv {
                for (table, day, b) in batches {
                    out.write(table, day, &b)?;
                }
            }
            Ok(tree.join().expect("the process tree's thread"))
        })?;
        // The process tree: a row per life.
        let t = tree.map_err(|e| ParquetError::Capture {
            file: file.clone(),
            what: e.to_string(),
        })?;
        let mut parent = vec![None; t.processes.len()];
        for (p, proc_) in t.processes.iter().enumerate() {
            for &c in &proc_.children {
                parent[c] = Some(p);
            }
        }
        let mut by_day: BTreeMap<String, Rows> = BTreeMap::new();
        for (k, p) in t.processes.iter().enumerate() {
            let r = by_day
                .entry(day(p.start_ns))
                .or_insert_with(|| Rows::new(PROCESSES));
            r.str(Some(&format!("{file_id}:{k}")))
                .str(parent[k].map(|x| format!("{file_id}:{x}")).as_deref())
                .str(Some(&h.hostname))
                .str(Some(&file_id))
                .i64(Some(i64::from(p.pid)))
                .i64(Some(i64::from(p.ppid)))
                .str(Some(&p.cmdline))
                .str(Some(&p.exe))
                .str(Some(&p.user))
                .ms(Some(p.start_ns))
                .i64(Some(p.start_ns as i64))
                .ms(p.end_ns)
                .i64(p.end_ns.map(|n| n as i64))
                .i64(p.exit_code)
                .str(
                    p.exit_signal
                        .map(shrike_format::linux::signal_name)
                        .as_deref(),
                );
            r.end_row();
        }
        for (d, r) in by_day {
            out.write(PROCESSES, d, &r.finish())?;
        }
        // Alerts.
        let mut by_day: BTreeMap<String, Rows> = BTreeMap::new();
        for a in alerts.iter().filter(|a| a.capture == i) {
            let r = by_day
                .entry(day(a.time_ns))
                .or_insert_with(|| Rows::new(ALERTS));
            r.ms(Some(a.time_ns))
                .i64(Some(a.time_ns as i64))
                .i32(Some(2004))
                .str(Some(&a.rule))
                .str(Some(&a.priority))
                .i32(Some(severity_id(&a.priority)))
                .str(Some(&a.output))
                .i64(Some(i64::from(a.pid)))
                .str(Some(&h.hostname))
                .str(Some(&file_id));
            r.end_row();
        }
        for (d, r) in by_day {
            out.write(ALERTS, d, &r.finish())?;
        }
        // The capture itself.
        let (first, last) = cap
            .chunks()
            .iter()
            .filter(|c| c.header.stats.events > 0)
            .fold((u64::MAX, 0), |(a, b), c| {
                (a.min(c.header.stats.min_ts), b.max(c.header.stats.max_ts))
            });
        let span = (first <= last).then(|| (wall_ns(h, first), wall_ns(h, last)));
        let mut r = Rows::new(CAPTURES);
        r.str(Some(&file_id))
            .str(Some(file))
            .str(Some(&h.hostname))
            .str(Some(&h.kernel))
            .str(Some(&h.boot_id))
            .str(Some(&h.recorder))
            .ms(span.map(|s| s.0))
            .ms(span.map(|s| s.1))
            .i64(Some(cap.event_count() as i64))
            .i64(Some(cap.lost_count() as i64));
        r.end_row();
        let d = span.map_or_else(|| day(0), |s| day(s.0));
        out.write(CAPTURES, d.clone(), &r.finish())?;
        // A table this capture has no rows for still gets its (empty) file,
        // so every engine finds every table, with its columns.
        for t in 0..TABLES.len() {
            if !out.open.keys().any(|(table, _)| *table == t) {
                out.write(t, d.clone(), &RecordBatch::new_empty(schema(t)))?;
            }
        }

        for (t, n) in &out.rows {
            *summary.rows.entry(t).or_default() += n;
        }
        let (f, b, replaced) = out.finish()?;
        summary.files += f;
        summary.bytes += b;
        if replaced {
            summary.replaced.push(file.clone());
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_cannot_leave_their_directory() {
        assert_eq!(partition_value("web-01.example.org"), "web-01.example.org");
        assert_eq!(partition_value("../../etc"), "%2E.%2F..%2Fetc");
        assert_eq!(partition_value("a=b/c"), "a%3Db%2Fc");
        assert_eq!(partition_value(".."), "%2E.");
        assert_eq!(partition_value(""), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(partition_value("h\u{e9}"), "h%C3%A9");
    }

    #[test]
    fn columns_encoded_in_parallel_keep_rows_in_order_across_row_groups() {
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let mut w = ColumnsWriter::new(
            std::fs::File::create(&path).unwrap(),
            CAPTURES,
            WriterProperties::builder().build(),
        )
        .unwrap();
        w.group = 3;
        let mut want = Vec::new();
        for b in 0..4 {
            let mut r = Rows::new(CAPTURES);
            for i in 0..2 {
                let n = b * 2 + i;
                want.push(n);
                r.str(Some(&format!("id{n}")))
                    .str(Some("f"))
                    .str(Some("h"))
                    .str(Some("k"))
                    .str(Some("b"))
                    .str(Some("r"))
                    .ms(None)
                    .ms(Some(i128::from(n) * 1_000_000))
                    .i64(Some(n))
                    .i64(Some(0));
                r.end_row();
            }
            w.write(&r.finish()).unwrap();
        }
        w.close().unwrap();
        let reader =
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
        let groups: Vec<i64> = reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect();
        assert_eq!(groups, [3, 3, 2]);
        let mut got = Vec::new();
        for b in reader.build().unwrap() {
            let b = b.unwrap();
            let ids = b.column_by_name("capture_file_id").unwrap();
            let ids = ids
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .unwrap();
            let events = b.column_by_name("events").unwrap();
            let events = events
                .as_any()
                .downcast_ref::<arrow_array::Int64Array>()
                .unwrap();
            for i in 0..b.num_rows() {
                assert_eq!(ids.value(i), format!("id{}", events.value(i)));
                got.push(events.value(i));
            }
        }
        assert_eq!(got, want);
    }

    #[test]
    fn every_table_has_unique_column_names() {
        for (t, (name, ..)) in TABLES.iter().enumerate() {
            let cols = columns(t);
            let names: std::collections::HashSet<_> = cols.iter().map(|c| c.0).collect();
            assert_eq!(names.len(), cols.len(), "{name}");
        }
    }
}
