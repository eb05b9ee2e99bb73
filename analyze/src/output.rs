//! Output templates (`%field` tokens, FALCO-FIELDS.md §5), compiled once.

use crate::fields::{Ctx, Field, Val, extract};

enum Piece {
    Text(String),
    /// `field` is `None` for a field shrike does not record: it prints `<NA>`, like any missing value.
    Field {
        name: String,
        field: Option<Field>,
        width: Option<usize>,
    },
}

/// A compiled output template.
pub struct Template {
    pieces: Vec<Piece>,
    /// Room to reserve for a rendering: its text, and some for each field,
    /// so most renderings allocate once.
    room: usize,
}

/// The text of a value, as Falco prints it (`<NA>` when missing).
pub fn render(v: Option<&Val<'_>>) -> String {
    match v {
        None => "<NA>".into(),
        Some(Val::Str(b)) => String::from_utf8_lossy(b).into_owned(),
        Some(Val::Num(n)) => n.to_string(),
        Some(Val::Bool(b)) => b.to_string(),
        Some(Val::Ip(ip)) => ip.to_string(),
    }
}

impl Template {
    /// Compiles `text`.
    pub fn new(text: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                let ch = text[i..].chars().next().expect("char");
                lit.push(ch);
                i += ch.len_utf8();
                continue;
            }
            let mut j = i + 1;
            let wstart = j;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let width = text[wstart..j].parse().ok();
            let nstart = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'.' || b[j] == b'_') {
                j += 1;
            }
            let mut name = text[nstart..j].trim_end_matches('.').to_string();
            j = nstart + name.len();
            let mut arg = None;
            if b.get(j) == Some(&b'[')
                && let Some(close) = text[j..].find(']')
            {
                arg = Some(text[j + 1..j + close].trim_matches('"').to_string());
                j += close + 1;
            }
            if name.is_empty() {
                lit.push('%');
                i += 1;
                continue;
            }
            let field = Field::resolve(&name, arg.as_deref());
            if let Some(a) = &arg {
                name = format!("{name}[{a}]");
            }
            if !lit.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Field { name, field, width });
            i = j;
        }
        if !lit.is_empty() {
            pieces.push(Piece::Text(lit));
        }
        let room = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.len(),
                Piece::Field { .. } => 32,
            })
            .sum();
        Ok(Template { pieces, room })
    }

    /// The common columns the template's fields read besides pid and comm.
    pub fn columns(&self) -> shrike_format::CommonColumns {
        self.pieces
            .iter()
            .fold(shrike_format::CommonColumns::NONE, |a, p| match p {
                Piece::Field { field: Some(f), .. } => a.with(f.columns()),
                _ => a,
            })
    }

    /// The rendered text.
    pub fn render(&self, c: &Ctx<'_, '_>) -> String {
        self.render_with(c, |_, _| {})
    }

    /// The rendered text and each field's value (`None` when missing), in
    /// the order of [`Template::field_names`].
    pub fn render_fields(&self, c: &Ctx<'_, '_>) -> (String, Vec<Option<String>>) {
        let mut fields = Vec::new();
        let out = self.render_with(c, |_, v| {
            fields.push(v.map(|v| render(Some(v))));
        });
        (out, fields)
    }

    /// For each of the template's fields, in order, its value's type (Falco's
    /// JSON output types `output_fields` by field); `None` for a field shrike
    /// does not record.
    pub fn field_types(&self) -> Vec<Option<crate::fields::Type>> {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Field { field, .. } => Some(field.as_ref().map(|f| match f {
                    // Every ancestor's value, joined: text.
                    crate::fields::Field::AnyAncestor(pf)
                        if *pf != crate::fields::ProcField::Pid =>
                    {
                        crate::fields::Type::Str
                    }
                    f => f.ty(),
                })),
                Piece::Text(_) => None,
            })
            .collect()
    }

    /// The names of the template's fields, in order (a name used twice appears twice).
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Field { name, .. } => Some(name.as_str()),
            Piece::Text(_) => None,
        })
    }

    fn render_with(&self, c: &Ctx<'_, '_>, mut each: impl FnMut(&str, Option<&Val<'_>>)) -> String {
        let mut out = String::with_capacity(self.room);
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field { name, field, width } => {
                    let v = field.as_ref().and_then(|f| extract(f, c));
                    match width {
                        Some(w) => {
                            let text = render(v.as_ref());
                            out.extend(format!("{text:<w$}").chars().take(*w));
                        }
                        None => render_into(&mut out, v.as_ref()),
                    }
                    each(name, v.as_ref());
                }
            }
        }
        out
    }
}

/// [`render`], appended to `out` without an intermediate string.
fn render_into(out: &mut String, v: Option<&Val<'_>>) {
    use std::fmt::Write;
    match v {
        None => out.push_str("<NA>"),
        Some(Val::Str(b)) => out.push_str(&String::from_utf8_lossy(b)),
        Some(Val::Num(n)) => write!(out, "{n}").expect("writing to a String"),
        Some(Val::Bool(b)) => write!(out, "{b}").expect("writing to a String"),
        Some(Val::Ip(ip)) => write!(out, "{ip}").expect("writing to a String"),
    }
}
