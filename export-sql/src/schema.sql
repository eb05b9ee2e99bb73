-- shrike SQLite schema, version 5 (PRAGMA user_version; documented in
-- docs/sql.md). Indexes: indexes.sql.
CREATE TABLE IF NOT EXISTS captures (
    capture_id  INTEGER PRIMARY KEY,
    file_id     TEXT NOT NULL UNIQUE,   -- the capture's random id: re-exporting it is a no-op
    file        TEXT NOT NULL,          -- path as given to shrike export
    hostname    TEXT,
    kernel      TEXT,
    boot_id     TEXT,
    recorder    TEXT,
    first_time  TEXT,                   -- RFC 3339 UTC
    last_time   TEXT,
    events      INTEGER NOT NULL,
    lost        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS processes (
    process_id  INTEGER PRIMARY KEY,    -- one row per process life (fork or snapshot to exit)
    capture_id  INTEGER NOT NULL REFERENCES captures(capture_id),
    pid         INTEGER NOT NULL,
    ppid        INTEGER NOT NULL,
    parent_id   INTEGER REFERENCES processes(process_id),
    exe         TEXT,
    cmdline     TEXT,
    user        TEXT,
    start_time  TEXT,
    end_time    TEXT,
    exit_code   INTEGER,
    exit_signal INTEGER
);
-- The events as stored; query them through the view `events` below, which
-- adds their time as text.
CREATE TABLE IF NOT EXISTS event_rows (
    event_id    INTEGER PRIMARY KEY,
    capture_id  INTEGER NOT NULL REFERENCES captures(capture_id),
    process_id  INTEGER NOT NULL REFERENCES processes(process_id),
    ts_ns       INTEGER NOT NULL,       -- ns since the Unix epoch
    kind        TEXT NOT NULL,          -- execve, openat, connect, ...
    pid         INTEGER NOT NULL,
    tid         INTEGER NOT NULL,
    comm        TEXT,
    uid         INTEGER,
    euid        INTEGER,
    cgroup      INTEGER,                -- the cgroup id (containers.cgroup names a container's)
    res         INTEGER,                -- syscall result (negative errno on failure), if any
    detail      TEXT NOT NULL           -- every kind-specific field, as JSON
);
-- Kept up to date while rows go in, unlike the indexes in indexes.sql: events
-- arrive nearly in time order, so each insert lands at the end of this index,
-- which costs less than sorting all of them afterwards.
CREATE INDEX IF NOT EXISTS events_time ON event_rows(ts_ns);
-- Not a generated column of event_rows: SQLite works those out on every
-- insert, which took a fifth of a large export.
CREATE VIEW IF NOT EXISTS events AS
    SELECT event_id, capture_id, process_id, ts_ns,
           -- RFC 3339 UTC with nanoseconds, worked out from ts_ns when read
           strftime('%Y-%m-%dT%H:%M:%S', ts_ns / 1000000000, 'unixepoch') || printf('.%09dZ', ts_ns % 1000000000) AS time,
           kind, pid, tid, comm, uid, euid, cgroup, res, detail
    FROM event_rows;
CREATE TABLE IF NOT EXISTS files (
    event_id    INTEGER PRIMARY KEY REFERENCES event_rows(event_id),
    operation   TEXT NOT NULL,          -- the event kind
    path        TEXT,                   -- absolute path
    path2       TEXT,                   -- second path (rename, link)
    flags       INTEGER,
    mode        INTEGER,
    res         INTEGER,
    resolved    INTEGER,                -- bit 0: path is the kernel's own (1), or a lexical join, not resolved (0); bit 1: path2 likewise
    created     INTEGER                 -- opens: 1 the open created the file, 2 it existed, 0 unknown
);
CREATE TABLE IF NOT EXISTS network (
    event_id    INTEGER PRIMARY KEY REFERENCES event_rows(event_id),
    operation   TEXT NOT NULL,
    proto       INTEGER,
    local_ip    TEXT,
    local_port  INTEGER,
    remote_ip   TEXT,
    remote_port INTEGER,
    res         INTEGER
);
-- What each process ran: one row per successful exec and per process
-- running when the recording started (its snapshot), with that program's own
-- command line (processes.cmdline is only the latest).
CREATE TABLE IF NOT EXISTS commands (
    event_id    INTEGER PRIMARY KEY REFERENCES event_rows(event_id),
    process_id  INTEGER NOT NULL REFERENCES processes(process_id),
    ts_ns       INTEGER NOT NULL,       -- ns since the Unix epoch, as the event's
    exe         TEXT,                   -- the executable the kernel resolved
    cmdline     TEXT,                   -- argv joined by spaces, control bytes escaped
    sha256      TEXT                    -- the executable's SHA-256, when the recorder hashed it (exe_hash)
);
-- DNS messages the recorder saw a process send to port 53 or receive from
-- it (SPEC §5, kind dns), decoded.
CREATE TABLE IF NOT EXISTS dns (
    event_id    INTEGER PRIMARY KEY REFERENCES event_rows(event_id),
    direction   TEXT NOT NULL,          -- query or response (the message's QR bit; sent or received when name is NULL: bytes that are no DNS message)
    name        TEXT,                   -- the name asked, control bytes escaped, a '.' in a label as '\.'
    type        TEXT,                   -- A, AAAA, ... (TYPEn for others)
    rcode       TEXT,                   -- a response's code: NOERROR, NXDOMAIN, ...
    answers     TEXT,                   -- a response's addresses and names, comma-separated
    server_ip   TEXT,
    server_port INTEGER,
    proto       INTEGER                 -- 17 UDP, 6 TCP
);
-- Bytes a process moved through one file or socket, summed until the fd was
-- closed, the process exited or the recording stopped (SPEC §5, kind fd_io).
CREATE TABLE IF NOT EXISTS bytes_moved (
    event_id    INTEGER PRIMARY KEY REFERENCES event_rows(event_id),
    fd          INTEGER NOT NULL,
    fdtype      TEXT,                   -- file or socket
    path        TEXT,                   -- a file's path
    proto       INTEGER,
    local_ip    TEXT,
    local_port  INTEGER,
    remote_ip   TEXT,
    remote_port INTEGER,
    bytes_read    INTEGER NOT NULL,
    bytes_written INTEGER NOT NULL,
    reads       INTEGER NOT NULL,       -- calls that read
    writes      INTEGER NOT NULL,       -- calls that wrote
    until       TEXT NOT NULL           -- close, exit, recording stop, exec
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id    INTEGER PRIMARY KEY,
    capture_id  INTEGER NOT NULL REFERENCES captures(capture_id),
    time        TEXT NOT NULL,
    rule        TEXT NOT NULL,
    priority    TEXT NOT NULL,
    pid         INTEGER,
    output      TEXT
);
-- The containers the recorder named, from their runtimes' own state (SPEC §5, kind container).
CREATE TABLE IF NOT EXISTS containers (
    capture_id  INTEGER NOT NULL REFERENCES captures(capture_id),
    event_id    INTEGER NOT NULL REFERENCES event_rows(event_id),
    cgroup      INTEGER NOT NULL,       -- the cgroup id its processes' events carry (events.cgroup)
    container_id TEXT NOT NULL,         -- the full id
    runtime     TEXT,                   -- docker, containerd, cri-o, podman
    name        TEXT,
    image       TEXT,
    privileged  INTEGER NOT NULL,       -- 1 privileged, 2 not, 0 unknown
    pod         TEXT,
    namespace   TEXT
);
CREATE TABLE IF NOT EXISTS lost (
    capture_id  INTEGER NOT NULL REFERENCES captures(capture_id),
    time        TEXT,
    count       INTEGER NOT NULL
);
CREATE VIEW IF NOT EXISTS event_processes AS
    SELECT e.*, p.cmdline, p.exe, p.user, p.ppid, p.parent_id
    FROM events e JOIN processes p USING (process_id);
CREATE VIEW IF NOT EXISTS file_activity AS
    SELECT e.time, e.pid, p.cmdline, p.user, f.operation, f.path, f.path2, f.flags, f.mode, f.res, f.resolved, f.created
    FROM files f JOIN events e USING (event_id) JOIN processes p USING (process_id);
CREATE VIEW IF NOT EXISTS dns_activity AS
    SELECT e.time, e.pid, p.cmdline, p.user, d.direction, d.name, d.type, d.rcode, d.answers, d.server_ip, d.server_port, d.proto
    FROM dns d JOIN events e USING (event_id) JOIN processes p USING (process_id);
CREATE VIEW IF NOT EXISTS network_activity AS
    SELECT e.time, e.pid, p.cmdline, p.user, n.operation, n.proto, n.local_ip, n.local_port, n.remote_ip, n.remote_port, n.res
    FROM network n JOIN events e USING (event_id) JOIN processes p USING (process_id);
