//! A YAML tree that remembers where each node starts, so errors can name a
//! line and column.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Where a node starts (1-based line and column, byte index).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
    /// Byte offset in the file.
    pub index: usize,
}

/// One node.
#[derive(Clone, Debug)]
pub enum Node {
    /// A scalar: its text, whether it was a block scalar, and where it starts.
    Scalar(String, bool, Pos),
    /// A sequence.
    Seq(Vec<Node>, Pos),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>, Pos),
}

impl Node {
    /// Where the node starts.
    pub fn pos(&self) -> Pos {
        match self {
            Node::Scalar(_, _, p) | Node::Seq(_, p) | Node::Map(_, p) => *p,
        }
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _, _) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(kv, _) => kv
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

fn pos(m: Marker) -> Pos {
    Pos {
        line: m.line(),
        col: m.col() + 1,
        index: m.index(),
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<Node>)>,
    docs: Vec<Node>,
}

impl Builder {
    fn push_value(&mut self, n: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(n),
            Some((Node::Seq(items, _), _)) => items.push(n),
            Some((Node::Map(kv, at), pending)) => match pending.take() {
                None => {
                    // A block mapping is reported after its first key: it starts at that key.
                    if kv.is_empty() && n.pos().index < at.index {
                        *at = n.pos();
                    }
                    *pending = Some(n)
                }
                Some(k) => kv.push((k, n)),
            },
            Some((Node::Scalar(..), _)) => unreachable!("scalars hold no children"),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(s, style, _, _) => {
                let block = matches!(style, TScalarStyle::Literal | TScalarStyle::Folded);
                self.push_value(Node::Scalar(s, block, pos(mark)));
            }
            Event::SequenceStart(..) => self.stack.push((Node::Seq(Vec::new(), pos(mark)), None)),
            Event::MappingStart(..) => self.stack.push((Node::Map(Vec::new(), pos(mark)), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((n, _)) = self.stack.pop() {
                    self.push_value(n);
                }
            }
            // Anchors and aliases are not used by rule files; an alias reads as empty.
            Event::Alias(_) => self.push_value(Node::Scalar(String::new(), false, pos(mark))),
            _ => {}
        }
    }
}

/// Falco reads rules with yaml-cpp, which accepts a flow collection's closing
/// bracket at its key's indentation (`items: [` … `  ]`); YAML 1.2 parsers
/// reject it. Indenting such lines keeps every line number and means the same.
fn lenient(text: &str) -> std::borrow::Cow<'_, str> {
    let closing = |l: &str| matches!(l.trim(), "]" | "}" | "]," | "},");
    if !text.lines().any(closing) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if closing(line) {
            out.push_str("    ");
        }
        out.push_str(line);
    }
    std::borrow::Cow::Owned(out)
}

/// Parses every document of `text`; on error, the message and its position.
pub fn parse(text: &str) -> Result<Vec<Node>, (String, Pos)> {
    let text = lenient(text);
    let mut b = Builder::default();
    let mut p = Parser::new_from_str(&text);
    p.load(&mut b, true)
        .map_err(|e| (e.info().to_string(), pos(*e.marker())))?;
    Ok(b.docs)
}

/// Line and column in `src` of byte `offset` of a scalar's value that starts at `at`.
///
/// Folding turns line breaks and indentation into single spaces, so the value
/// is walked against the source: whitespace runs match whitespace runs, other
/// characters are found in order.
pub fn locate(src: &str, at: Pos, block: bool, value: &str, offset: usize) -> (usize, usize) {
    let s = src.as_bytes();
    let mut i = at.index.min(s.len());
    if block && matches!(s.get(i), Some(b'>' | b'|')) {
        // The mark is on the indicator: the value starts on the next line.
        while i < s.len() && s[i] != b'\n' {
            i += 1;
        }
    }
    for c in value.as_bytes()[..offset.min(value.len())].iter() {
        if c.is_ascii_whitespace() {
            while i < s.len() && s[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            while i < s.len() && s[i] != *c {
                i += 1;
            }
            i += 1;
        }
    }
    // Land on the token the offset names, unless only blanks follow (an error at the end).
    if value
        .as_bytes()
        .get(offset..)
        .is_some_and(|rest| rest.iter().any(|c| !c.is_ascii_whitespace()))
    {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    let i = i.min(s.len());
    let line = 1 + s[..i].iter().filter(|&&c| c == b'\n').count();
    let col = 1 + i
        - s[..i]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
    (line, col)
}
