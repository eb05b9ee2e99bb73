-- Secondary indexes of the shrike schema: built after a bulk load, which is
-- much faster than keeping them up to date row by row.
CREATE INDEX IF NOT EXISTS events_pid ON event_rows(pid);
CREATE INDEX IF NOT EXISTS events_kind ON event_rows(kind);
CREATE INDEX IF NOT EXISTS events_process ON event_rows(process_id);
CREATE INDEX IF NOT EXISTS files_path ON files(path);
CREATE INDEX IF NOT EXISTS network_remote ON network(remote_ip, remote_port);
CREATE INDEX IF NOT EXISTS processes_pid ON processes(pid);
CREATE INDEX IF NOT EXISTS commands_process ON commands(process_id, ts_ns);
CREATE INDEX IF NOT EXISTS dns_name ON dns(name);
CREATE INDEX IF NOT EXISTS alerts_rule ON alerts(rule);
