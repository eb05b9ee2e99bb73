//! One module per subcommand: read arguments, call the libraries, print.

pub mod export;
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
