//! `shrike`: argument parsing and dispatch. The work lives in the libraries.

mod cmd;
mod keys;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Scans and exports allocate and free millions of small strings across
// threads; glibc's allocator spent more time consolidating than shrike spent
// decoding.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status: success.
const EXIT_OK: u8 = 0;
/// Exit status: a check failed (verify found a problem).
const EXIT_FAILED: u8 = 1;
/// Exit status: shrike could not do what was asked (bad arguments, unreadable file).
const EXIT_ERROR: u8 = 2;
/// Exit status: done, but part of a capture could not be read (each part named on stderr).
const EXIT_DAMAGED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "shrike",
    version,
    about = "Capture-and-replay forensics for Linux",
    long_about = "shrike records what a Linux host does into one compressed, checksummed, indexed \
capture file, and reads it back later on any machine.\n\n\
Exit status: 0 success; 1 a check failed (verify); 2 shrike could not do what was asked \
(bad arguments, unreadable file).",
    after_help = "Examples:\n  \
shrike generate -o demo.shrk --events 100000   # a synthetic capture, no root needed\n  \
shrike info demo.shrk                         # host, time span, events per kind, damage\n  \
shrike verify demo.shrk                       # checksums, hash chain, footer, seals"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format for commands a person might pipe.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Aligned text for people.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Record this host's process, file, network, privilege and kernel activity (needs root).
    ///
    /// Records the whole host until Ctrl-C, SIGTERM or --duration; or, with a command
    /// after `--`, runs it and stops when it exits (--follow: only its process tree).
    /// Events reach the file within --flush-interval, so a killed recorder loses at most
    /// that much; the kernel's dropped events are counted in the file, never hidden.
    #[command(after_help = "Examples:\n  \
sudo shrike record -o host.shrk --duration 10m\n  \
sudo shrike record -o build.shrk --follow -- make -j2\n  \
sudo shrike record -o ring.shrk --max-size 100M --max-files 10   # the newest 1 GB, in 10 files")]
    Record(cmd::record::Args),
    /// Print every event of one or more captures in time order, one line each.
    ///
    /// Flags, modes, signals and errors read by name, as strace shows them; an exec's
    /// environment as a count in text, whole in --format json.
    #[command(after_help = "Examples:\n  \
shrike replay build.shrk --filter 'evt.type = execve and proc.pname = make'\n  \
shrike replay host.shrk --filter 'evt.type = execve and proc.env contains LD_PRELOAD'\n  \
shrike replay a.shrk b.shrk --format json --filter 'fd.name startswith /etc/'")]
    Replay {
        /// Capture files (several merge in time order).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only events that satisfy this condition (Falco's condition language).
        #[arg(long, value_name = "CONDITION")]
        filter: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// The process tree with each process's actions in time order.
    ///
    /// Who started whom (argv, user, start, end, exit status), and under each process
    /// what it did: execs, files, network, privilege changes. --pid narrows it to one
    /// process, its ancestors and its descendants.
    #[command(after_help = "Examples:\n  \
shrike timeline build.shrk | less\n  \
shrike timeline host.shrk --pid 4242 --since 2026-11-26T10:00:00Z\n  \
shrike timeline host.shrk --format timesketch-csv > host.csv   # import into Timesketch\n  \
shrike timeline host.shrk --rules rules/ --format html > report.html")]
    Timeline {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Only this process, its ancestors and its descendants.
        #[arg(long)]
        pid: Option<u32>,
        /// Only actions at or after this time (RFC 3339, e.g. 2026-11-26T10:00:00Z).
        #[arg(long)]
        since: Option<String>,
        /// Only actions at or before this time.
        #[arg(long)]
        until: Option<String>,
        /// text; json (a process per line, each action with its alerts); html (one
        /// self-contained page: alert list, activity over time with zoom, network
        /// summary, process tree; library loads and each busy process's actions past
        /// its share are counted, not shown, so a page of millions of events stays
        /// near 15 MB); timesketch-csv or timesketch-jsonl (a row per action, and a
        /// row per alert tagged `alert`).
        #[arg(long, default_value = "text")]
        format: String,
        /// Mark the alerts of these rules in every format, on the actions they
        /// fired on: the same alerts `shrike scan` finds (file or directory; repeatable).
        #[arg(long, value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Export captures into a SQLite database (docs/sql.md), so any question is a query, or into a Parquet dataset for a fleet's engines (docs/fleet.md).
    ///
    /// Several captures, from several hosts, go into one database or dataset. Exporting a
    /// capture that is already in a database (same file id) changes nothing, unless it has
    /// grown since (exported while still recording): then its rows are replaced by the whole
    /// capture's, and its alerts by those of --rules. In a dataset, a capture's files are
    /// always replaced by the new export's.
    #[command(group(clap::ArgGroup::new("output").required(true).args(["sqlite", "parquet"])))]
    #[command(after_help = "Examples:\n  \
shrike export host1.shrk host2.shrk --sqlite incident.db --rules rules/\n  \
shrike export /cases/*/host*.shrk --parquet /data/shrike --rules rules/\n  \
shrike sql incident.db 'SELECT time, cmdline FROM commands JOIN events USING (event_id) ORDER BY events.ts_ns'")]
    Export {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The database: created (mode 0600) if missing; an existing one is
        /// added to only if it is yours and holds only shrike's schema.
        #[arg(long, value_name = "OUT.db")]
        sqlite: Option<PathBuf>,
        /// A Parquet dataset instead (docs/fleet.md): a table per event class with
        /// OCSF's column names, partitioned host=NAME/day=YYYY-MM-DD, for DuckDB,
        /// Spark or Trino/Athena; exporting a capture again replaces its files.
        #[arg(long, value_name = "DIR")]
        parquet: Option<PathBuf>,
        /// Also store the alerts of these rules (file or directory; repeatable).
        #[arg(long, value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Replace the database or dataset if it exists (removed and created anew;
        /// a directory holding anything but a shrike dataset's tables is refused).
        #[arg(long)]
        force: bool,
    },
    /// Run a SQL query on an exported database, or on a capture (exported first into ~/.cache/shrike/sql, a directory only you can open, and reused while the capture is unchanged). Read-only: one statement, and none that writes (the database is opened read-only).
    #[command(after_help = "Examples:\n  \
shrike sql incident.db 'SELECT rule, count(*) FROM alerts GROUP BY rule'\n  \
shrike sql build.shrk 'SELECT path, count(*) FROM file_activity GROUP BY path ORDER BY 2 DESC LIMIT 10'")]
    Sql {
        /// A database written by `shrike export`, or a capture file.
        target: PathBuf,
        /// The query.
        query: String,
        /// table (cells cut at 60 characters, marked …), csv or json (JSON lines),
        /// both whole. A query SQLite refuses exits 2.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Run detection rules (Falco's YAML dialect or Sigma) over captures, on all cores.
    ///
    /// Uses shrike's built-in rules unless --rules is given. A rule file is read as Falco's
    /// dialect or as Sigma, whichever it is written in (docs/sigma.md maps Sigma's fields).
    /// Prints one alert per line (time, priority, rule, output) in time order, and a
    /// summary on stderr: events, alerts by rule, and rules skipped because they need
    /// what shrike does not record, each with its reason.
    #[command(after_help = "Examples:\n  \
shrike scan host.shrk\n  \
shrike scan host.shrk --rules /etc/falco/falco_rules.yaml --min-priority warning\n  \
shrike scan host.shrk --rules ~/sigma/rules/linux   # SigmaHQ's rules, as published\n  \
shrike scan *.shrk --format json | jq .rule")]
    Scan {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Rule file, or directory read recursively for *.yaml and *.yml (repeatable; replaces the built-in rules).
        #[arg(long, value_name = "PATH")]
        rules: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Only rules at or above this priority (emergency ... debug).
        #[arg(long, default_value = "debug", value_name = "PRIORITY")]
        min_priority: String,
        /// Worker threads (default: one per core).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Alert for the first rule an event matches only, in load order
        /// (Falco's `rule_matching: first`); by default every matching rule alerts.
        #[arg(long)]
        first_match: bool,
    },
    /// Summarise capture files: host, time span, events per kind, chunks, lost events, damage.
    Info {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Check every checksum, the hash chain, the index, the footer and any seals.
    ///
    /// Exits 0 only when everything holds; otherwise prints the first bad chunk,
    /// its offset and what is wrong, and exits 1. Given the segments of a rotated
    /// recording (out.shrk out.1.shrk ...), also checks that each names the one
    /// before it and names any segment missing.
    #[command(after_help = "Examples:
  shrike verify host.shrk                           # integrity: checksums, hash chain, footer
  shrike verify host.shrk --key responder.pub       # and authenticity: sealed by your key, end included
  shrike verify ring.shrk ring.*.shrk --key responder.pub   # a rotated recording, segment by segment")]
    Verify {
        /// Capture files (the segments of one rotated recording, in any order).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Trusted public key (64 hex digits, or a file holding them, as written by
        /// `shrike keygen`): the file must then be sealed from it, from its header
        /// to a final seal over its end.
        #[arg(long, value_name = "PUBKEY")]
        key: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Write out the executables a recording kept (record --keep-binaries).
    ///
    /// Each is put together from its parts and its SHA-256 checked before it is
    /// written, as DIR/SHA256 (owner-only, not executable); one that does not
    /// check out is named on stderr, not written, and the exit status is 1.
    #[command(after_help = "Examples:\n  \
sudo shrike record -o host.shrk --keep-binaries --duration 1h\n  \
shrike extract host.shrk -o binaries/\n  \
shrike extract host.shrk -o binaries/ --sha256 3f2a   # one, by the start of its hash")]
    Extract {
        /// Capture files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Directory to write them into (created if needed; a file already
        /// there is not replaced).
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Only the executable whose SHA-256 starts with these hex digits.
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
    },
    /// Write a synthetic capture (a plausible host's activity, deterministic from
    /// the seed) for trying shrike, tests and benchmarks without root.
    Generate {
        /// Output file (refused if it exists, unless --force).
        #[arg(short, long)]
        output: PathBuf,
        /// Number of events.
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        /// Random seed: the same seed gives the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Seal the capture from this key file (from `shrike keygen`; it moves
        /// on one key, as a recording's does).
        #[arg(long, value_name = "KEYFILE")]
        seal_key: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Create a key pair for sealing captures: NAME.key (secret, mode 0600) and NAME.pub.
    ///
    /// NAME.key evolves: every capture sealed from it takes the current key
    /// and leaves the next one in its place, derived one way, so whoever later
    /// takes the host cannot re-seal an earlier capture. Keep NAME.pub off the
    /// host: `shrike verify --key NAME.pub` checks every capture sealed from
    /// NAME.key, whatever epoch it reached.
    Keygen {
        /// Path prefix of the two files.
        name: PathBuf,
        /// Replace NAME.key and NAME.pub if they exist (removed and created anew).
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Record(args) => cmd::record::run(args),
        Command::Replay {
            files,
            filter,
            format,
        } => cmd::replay::run(&files, filter.as_deref(), format == Format::Json),
        Command::Export {
            files,
            sqlite,
            parquet,
            rules,
            force,
        } => match (sqlite, parquet) {
            (Some(db), _) => cmd::export::run_export(&files, &db, &rules, force),
            (None, Some(dir)) => cmd::export::run_parquet(&files, &dir, &rules, force),
            (None, None) => unreachable!("clap requires --sqlite or --parquet"),
        },
        Command::Sql {
            target,
            query,
            format,
        } => cmd::export::run_sql(&target, &query, &format),
        Command::Timeline {
            files,
            pid,
            since,
            until,
            format,
            rules,
        } => cmd::timeline::run(
            &files,
            pid,
            since.as_deref(),
            until.as_deref(),
            &format,
            &rules,
        ),
        Command::Scan {
            files,
            rules,
            format,
            min_priority,
            threads,
            first_match,
        } => cmd::scan::run(
            &files,
            &rules,
            format == Format::Json,
            &min_priority,
            threads,
            first_match,
        ),
        Command::Info { files, format } => cmd::info::run(&files, format == Format::Json),
        Command::Extract {
            files,
            output,
            sha256,
        } => cmd::extract::run(&files, &output, sha256.as_deref()),
        Command::Verify { files, key, format } => {
            cmd::verify::run(&files, key.as_deref(), format == Format::Json)
        }
        Command::Generate {
            output,
            events,
            seed,
            seal_key,
            force,
        } => cmd::generate::run(&output, events, seed, seal_key.as_deref(), force),
        Command::Keygen { name, force } => keys::keygen(&name, force).map(|()| EXIT_OK),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("shrike: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
