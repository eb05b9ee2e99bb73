//! One module per subcommand: read arguments, call the libraries, print.

pub mod export;
pub mod extract;
pub mod generate;
pub mod info;
pub mod record;
pub mod replay;
pub mod scan;
pub mod timeline;
pub mod verify;

/// The line that reports `d` in `file`, as every command writes it on stderr.
pub fn damage_line(file: &std::path::Path, d: &shrike_format::Damage) -> String {
    format!(
        "shrike: {}: damage: {d}",
        shrike_format::Escaped(file.as_os_str().as_encoded_bytes())
    )
}

/// Reports what could not be read in each capture, the one way every
/// command that reads events does it when it ends: a line on stderr per
/// fault, a `{"file": .., "damage": {..}}` line on `json` when the command
/// writes JSON lines, and `EXIT_DAMAGED` (otherwise `EXIT_OK`).
pub fn report_damage(
    files: &[std::path::PathBuf],
    caps: &[shrike_format::Capture],
    mut json: Option<&mut dyn std::io::Write>,
) -> std::io::Result<u8> {
    let mut code = crate::EXIT_OK;
    for (file, cap) in files.iter().zip(caps) {
        for d in cap.damage() {
            code = crate::EXIT_DAMAGED;
            eprintln!("{}", damage_line(file, &d));
            if let Some(out) = json.as_mut() {
                let line = serde_json::json!({ "file": file.display().to_string(), "damage": d });
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(code)
}

/// Work (events, or bytes for `verify`) from which a command shows
/// progress: below it, a command ends in about a second.
pub const PROGRESS_MIN: u64 = 500_000;

/// A progress bar on stderr for a person watching, counting `unit`s up to
/// `total`: shown only when stderr is a terminal, the work is at least
/// [`PROGRESS_MIN`], and, for a command whose results stream to stdout as
/// it goes (`streams`), stdout is not a terminal the bar would tear;
/// otherwise hidden, so pipes and logs get nothing extra.
pub fn progress(total: u64, unit: &str, streams: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let show = std::io::stderr().is_terminal()
        && total >= PROGRESS_MIN
        && !(streams && std::io::stdout().is_terminal());
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(total);
    let template = if unit == "bytes" {
        "{msg:>12} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta} left)".to_string()
    } else {
        format!("{{msg:>12}} [{{bar:40}}] {{human_pos}}/{{human_len}} {unit} ({{eta}} left)")
    };
    b.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    b
}

/// The bar of a command that reads `caps` once, and once more to scan
/// `rules` when there are any (timeline, export).
pub fn passes_bar(
    caps: &[shrike_format::Capture],
    rules: &[std::path::PathBuf],
) -> indicatif::ProgressBar {
    let events: u64 = caps.iter().map(shrike_format::Capture::event_count).sum();
    let passes = if rules.is_empty() { 1 } else { 2 };
    progress(events * passes, "events", false)
}

/// A CSV cell a spreadsheet will not run: one that starts like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'` (OWASP's
/// rule for CSV injection); numbers, which cannot be formulas, stay as they
/// are. Every CSV shrike writes goes through this.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_that_start_like_formulas_are_quoted() {
        use super::csv_cell;
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("-2", "-2"),
            ("-100", "-100"),
            ("/etc/passwd", "/etc/passwd"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(cell), want);
        }
    }
}
