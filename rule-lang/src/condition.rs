//! The condition language (FALCO-FIELDS.md §2): `not` binds tighter than
//! `and`, which binds tighter than `or`; checks are `field op value`,
//! `field op (list)` or `field exists`; bare identifiers are macros.

use crate::ast::{Check, Expr, Op, Operand, Rhs, Transformer};

/// A syntax error at a byte offset of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset in the condition.
    pub offset: usize,
    /// What was expected there.
    pub message: String,
}

/// Parses `text`; `list` returns the items of a named list, so list names
/// inside `( ... )` expand to their items.
pub fn parse(text: &str, list: &dyn Fn(&str) -> Option<Vec<String>>) -> Result<Expr, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        list,
        depth: 0,
    };
    let e = p.or()?;
    p.ws();
    if p.pos < p.s.len() {
        return Err(p.err("`and`, `or` or the end of the condition"));
    }
    Ok(e)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    list: &'a dyn Fn(&str) -> Option<Vec<String>>,
    /// Parentheses, `not`s and transformers open here: bounded, so a crafted
    /// condition cannot exhaust the stack.
    depth: usize,
}

/// Deepest nesting of parentheses, `not` and transformers in one condition.
pub const MAX_NESTING: usize = 200;
/// Most items after `oneof`, whose meaning is a test of every pair.
pub const ONEOF_MAX: usize = 32;

/// Characters that end a bare value (FALCO-FIELDS.md §2.1).
fn ends_bare(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'(' | b')' | b',' | b'=' | b'"' | b'\'')
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')
}

impl Parser<'_> {
    /// `name(` where a field was expected: Falco's multi-value transformers
    /// are named as such (valid Falco shrike does not evaluate), any other
    /// name as unknown.
    fn unknown_transformer(&self, name: &str, expected: &str) -> SyntaxError {
        if matches!(name, "join" | "concat" | "getopt") {
            return SyntaxError {
                offset: self.pos,
                message: format!(
                    "`{name}(...)` is one of Falco's multi-value transformers, which shrike does not evaluate yet"
                ),
            };
        }
        self.err(&format!("{expected} (unknown transformer)"))
    }

    fn err(&self, expected: &str) -> SyntaxError {
        let found = match self.s.get(self.pos) {
            None => "the end of the condition".to_string(),
            Some(_) => {
                let rest = &self.text[self.pos..];
                let tok: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .take(20)
                    .collect();
                format!("`{tok}`")
            }
        };
        SyntaxError {
            offset: self.pos,
            message: format!("expected {expected}, found {found}"),
        }
    }

    fn ws(&mut self) {
        while self.s.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    /// Consumes keyword `kw` if it stands here as a whole word.
    fn keyword(&mut self, kw: &str, paren_ok: bool) -> bool {
        let end = self.pos + kw.len();
        if !self.s[self.pos..].starts_with(kw.as_bytes()) {
            return false;
        }
        // At the very end a keyword is still a keyword, so the error names what is missing after it.
        match self.s.get(end) {
            None => {}
            Some(c) if c.is_ascii_whitespace() => {}
            Some(b'(') if paren_ok => {}
            _ => return false,
        }
        self.pos = end;
        true
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.and()?];
        loop {
            self.ws();
            if !self.keyword("or", true) {
                break;
            }
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one")
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut items = vec![self.not()?];
        loop {
            self.ws();
            if !self.keyword("and", true) {
                break;
            }
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one")
        } else {
            Expr::And(items)
        })
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        self.ws();
        if self.keyword("not", true) {
            self.enter()?;
            let e = self.not();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?)));
        }
        self.primary()
    }

    /// One level deeper, within [`MAX_NESTING`].
    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.depth -= 1;
            return Err(SyntaxError {
                offset: self.pos,
                message: format!(
                    "the condition nests deeper than {MAX_NESTING} levels (parentheses, `not`, transformers)"
                ),
            });
        }
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        self.ws();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            self.enter()?;
            let e = self.or();
            self.depth -= 1;
            let e = e?;
            self.ws();
            if self.peek() != Some(b')') {
                return Err(self.err("`)`"));
            }
            self.pos += 1;
            return Ok(e);
        }
        let start = self.pos;
        let name = match self.ident() {
            Some(n) if n != "and" && n != "or" => n,
            _ => {
                self.pos = start;
                return Err(self.err("a field, a macro, `not` or `(`"));
            }
        };
        // A transformer applies to the operand in its parentheses.
        if self.peek() == Some(b'(') {
            let Some(t) = Transformer::from_name(&name) else {
                self.pos = start;
                return Err(self.unknown_transformer(&name, "a field or macro"));
            };
            self.pos += 1;
            let inner = self.operand()?;
            self.close_paren()?;
            return self.check(Operand::Transform(t, Box::new(inner)));
        }
        let arg = self.field_arg()?;
        let save = self.pos;
        self.ws();
        if arg.is_none() && self.op_here().is_none() {
            // No operator follows: a macro reference.
            self.pos = save;
            return Ok(Expr::Macro(name));
        }
        self.pos = save;
        self.check(Operand::Field { name, arg })
    }

    fn close_paren(&mut self) -> Result<(), SyntaxError> {
        self.ws();
        if self.peek() != Some(b')') {
            return Err(self.err("`)`"));
        }
        self.pos += 1;
        Ok(())
    }

    fn ident(&mut self) -> Option<String> {
        let start = self.pos;
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        {
            return None;
        }
        while self.peek().is_some_and(ident_char) {
            self.pos += 1;
        }
        Some(self.text[start..self.pos].to_string())
    }

    fn field_arg(&mut self) -> Result<Option<String>, SyntaxError> {
        if self.peek() != Some(b'[') {
            return Ok(None);
        }
        self.pos += 1;
        let arg = if matches!(self.peek(), Some(b'"' | b'\'')) {
            self.quoted()?
        } else {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|c| c != b']' && !c.is_ascii_whitespace())
            {
                self.pos += 1;
            }
            self.text[start..self.pos].to_string()
        };
        if self.peek() != Some(b']') {
            return Err(self.err("`]` after the field argument"));
        }
        self.pos += 1;
        Ok(Some(arg))
    }

    /// A field operand: `name`, `name[arg]`, or `transformer(operand)`.
    fn operand(&mut self) -> Result<Operand, SyntaxError> {
        self.ws();
        let start = self.pos;
        let Some(name) = self.ident() else {
            return Err(self.err("a field name"));
        };
        if self.peek() == Some(b'(') {
            let Some(t) = Transformer::from_name(&name) else {
                self.pos = start;
                return Err(self.unknown_transformer(&name, "a field name"));
            };
            self.pos += 1;
            self.enter()?;
            let inner = self.operand();
            self.depth -= 1;
            let inner = inner?;
            self.close_paren()?;
            return Ok(Operand::Transform(t, Box::new(inner)));
        }
        let arg = self.field_arg()?;
        Ok(Operand::Field { name, arg })
    }

    /// The operator at the current position, and its length, without consuming it.
    fn op_here(&self) -> Option<(Op, usize)> {
        let rest = &self.s[self.pos..];
        for sym in ["==", "!=", "<=", ">=", "=", "<", ">"] {
            if rest.starts_with(sym.as_bytes()) {
                return Some((Op::from_word(sym).expect("symbol"), sym.len()));
            }
        }
        let word_len = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let word = std::str::from_utf8(&rest[..word_len]).ok()?;
        let op = Op::from_word(word)?;
        // Word operators need a following blank (lists may follow directly with `(`).
        match rest.get(word_len) {
            Some(c) if c.is_ascii_whitespace() => Some((op, word_len)),
            Some(b'(') if op.takes_list() => Some((op, word_len)),
            None | Some(b')') if op == Op::Exists => Some((op, word_len)),
            _ => None,
        }
    }

    fn check(&mut self, lhs: Operand) -> Result<Expr, SyntaxError> {
        self.ws();
        let Some((op, len)) = self.op_here() else {
            return Err(self.err("an operator (=, !=, <, <=, >, >=, contains, icontains, bcontains, startswith, bstartswith, endswith, glob, iglob, regex, in, intersects, pmatch, exists)"));
        };
        self.pos += len;
        if let Some(m) = self.modifier(op) {
            let items = self.list_literal()?;
            return self.modified(lhs, op, m, items);
        }
        let rhs = match op {
            Op::Exists => Rhs::None,
            o if o.takes_list() => Rhs::List(self.list_literal()?),
            _ => self.value_or_field()?,
        };
        Ok(Expr::Check(Check { lhs, op, rhs }))
    }

    /// `anyof`, `allof` or `oneof` after a text operator, when a list follows
    /// (`proc.name startswith anyof (ba, z)`); consumed.
    fn modifier(&mut self, op: Op) -> Option<&'static str> {
        if op.takes_list() || matches!(op, Op::Exists | Op::Lt | Op::Le | Op::Gt | Op::Ge) {
            return None;
        }
        let save = self.pos;
        self.ws();
        let word = ["anyof", "allof", "oneof"]
            .into_iter()
            .find(|w| self.s[self.pos..].starts_with(w.as_bytes()))?;
        let after = self.pos + word.len();
        let rest = &self.s[after..];
        let blank = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        if blank == 0 || rest.get(blank) != Some(&b'(') {
            self.pos = save;
            return None;
        }
        self.pos = after;
        Some(word)
    }

    /// A modified comparison as the plain ones it means (libsinsp): `anyof`
    /// holds when the comparison holds for some item, `allof` for every item,
    /// `oneof` for exactly one; with no items, none holds.
    fn modified(
        &mut self,
        lhs: Operand,
        op: Op,
        modifier: &str,
        items: Vec<String>,
    ) -> Result<Expr, SyntaxError> {
        let one = |v: &String| {
            Expr::Check(Check {
                lhs: lhs.clone(),
                op,
                rhs: Rhs::Value(v.clone()),
            })
        };
        if items.is_empty() {
            return Ok(Expr::Check(Check {
                lhs,
                op: Op::In,
                rhs: Rhs::List(Vec::new()),
            }));
        }
        Ok(match modifier {
            "anyof" => Expr::Or(items.iter().map(one).collect()),
            "allof" => Expr::And(items.iter().map(one).collect()),
            _ => {
                // Exactly one: each item's comparison with every other's negated.
                if items.len() > ONEOF_MAX {
                    return Err(self.err(&format!(
                        "at most {ONEOF_MAX} items after `oneof` (each is tested against every other)"
                    )));
                }
                Expr::Or(
                    (0..items.len())
                        .map(|i| {
                            Expr::And(
                                items
                                    .iter()
                                    .enumerate()
                                    .map(|(j, v)| {
                                        if i == j {
                                            one(v)
                                        } else {
                                            Expr::Not(Box::new(one(v)))
                                        }
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            }
        })
    }

    fn value_or_field(&mut self) -> Result<Rhs, SyntaxError> {
        self.ws();
        let start = self.pos;
        if let Some(name) = self.ident()
            && self.peek() == Some(b'(')
        {
            self.pos += 1;
            let rhs = if name == "val" {
                Rhs::Field(self.operand()?)
            } else if let Some(t) = Transformer::from_name(&name) {
                Rhs::Field(Operand::Transform(t, Box::new(self.operand()?)))
            } else {
                self.pos = start;
                return Err(self.err("a value, `val(field)` or a transformer"));
            };
            self.close_paren()?;
            return Ok(rhs);
        }
        self.pos = start;
        Ok(Rhs::Value(self.value()?))
    }

    fn value(&mut self) -> Result<String, SyntaxError> {
        self.ws();
        if matches!(self.peek(), Some(b'"' | b'\'')) {
            return self.quoted();
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| !ends_bare(c)) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("a value"));
        }
        Ok(self.text[start..self.pos].to_string())
    }

    fn quoted(&mut self) -> Result<String, SyntaxError> {
        let q = self.peek().expect("a quote");
        let start = self.pos;
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return Err(self.err("a closing quote for this string"));
                }
                Some(c) if c == q => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let e = self
                        .peek()
                        .ok_or_else(|| self.err("an escaped character"))?;
                    self.pos += 1;
                    match e {
                        b'\\' | b'/' => out.push(e),
                        // libsinsp reads a backslash-space as one backslash, for rules written that way.
                        b' ' => out.push(b'\\'),
                        b'"' | b'\'' if e == q => out.push(e),
                        b'"' | b'\'' => {
                            self.pos -= 1;
                            return Err(self.err("an escape valid in this string (\\\" only inside \"...\", \\' only inside '...')"));
                        }
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'x' => {
                            let h = self.s.get(self.pos..self.pos + 2).and_then(|h| {
                                u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
                            });
                            let Some(h) = h else {
                                return Err(self.err("two hex digits after \\x"));
                            };
                            self.pos += 2;
                            out.push(h);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.err(
                                "a known escape (\\\\ \\\" \\' \\/ \\b \\f \\n \\r \\t \\xHH)",
                            ));
                        }
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn list_literal(&mut self) -> Result<Vec<String>, SyntaxError> {
        self.ws();
        if self.peek() != Some(b'(') {
            return Err(self.err("`(` to start a list"));
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(items);
        }
        loop {
            self.ws();
            let quoted = matches!(self.peek(), Some(b'"' | b'\''));
            let v = self.value()?;
            // A bare list name stands for its items (FALCO-FIELDS.md §2.4).
            match (quoted, (self.list)(&v)) {
                (false, Some(expanded)) => items.extend(expanded),
                _ => items.push(v),
            }
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.ws();
                    // Falco has no trailing comma: `(a, b,)` is an error there.
                    if self.peek() == Some(b')') {
                        return Err(self.err("a value after `,` (no trailing comma in a list)"));
                    }
                }
                Some(b')') => {
                    self.pos += 1;
                    return Ok(items);
                }
                _ => return Err(self.err("`,` or `)` in the list")),
            }
            // Empty lists expand to nothing: tolerate the dangling comma they leave.
            self.ws();
            if self.peek() == Some(b')') {
                self.pos += 1;
                return Ok(items);
            }
        }
    }
}
