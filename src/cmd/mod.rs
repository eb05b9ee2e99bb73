//! One module per subcommand: read arguments, call the libraries, print.

pub mod export;
pub mod generate;
pub mod info;
pub mod record;
pub mod replay;
pub mod scan;
pub mod timeline;
pub mod verify;

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
