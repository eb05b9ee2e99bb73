//! Loading rule files: YAML items in order, appends and overrides, then
//! conditions parsed with lists expanded, macros inlined and exceptions added.

use std::collections::HashMap;
use std::fmt;

use crate::ast::{Check, Expr, Op, Operand, Rhs};
use crate::condition::{self, SyntaxError};
use crate::yaml::{self, Node, Pos};

/// A problem in a rule file, with its place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file, as given.
    pub file: String,
    /// Line, from 1 (0 when not known).
    pub line: usize,
    /// Column, from 1 (0 when not known).
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// Alert priorities, most severe first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Priority {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

impl Priority {
    /// Parses a priority name in any case (`info` is Informational).
    pub fn parse(s: &str) -> Option<Priority> {
        Some(match s.to_ascii_lowercase().as_str() {
            "emergency" => Priority::Emergency,
            "alert" => Priority::Alert,
            "critical" => Priority::Critical,
            "error" => Priority::Error,
            "warning" => Priority::Warning,
            "notice" => Priority::Notice,
            "informational" | "info" => Priority::Informational,
            "debug" => Priority::Debug,
            _ => return None,
        })
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

/// A loaded rule, its condition fully resolved.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Rule name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// Condition with macros inlined, lists expanded and exceptions applied.
    pub condition: Expr,
    /// Output template.
    pub output: String,
    /// Priority.
    pub priority: Priority,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether the rule is enabled.
    pub enabled: bool,
    /// Event source (`syscall` unless said otherwise).
    pub source: String,
    /// File and line where the rule was defined.
    pub origin: (String, usize),
}

/// Everything loaded from a set of rule files.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Rules in load order (disabled ones included).
    pub rules: Vec<Rule>,
    /// Rules that could not be used, and why (the load goes on without them).
    pub skipped: Vec<LoadError>,
    /// `required_engine_version` values seen.
    pub engine_versions: Vec<String>,
    /// `required_plugin_versions` (name, version) pairs seen.
    pub plugins: Vec<(String, String)>,
}

#[derive(Clone)]
struct Text {
    text: String,
    block: bool,
    pos: Pos,
    file: usize,
}

struct RawRule {
    name: String,
    desc: String,
    condition: Vec<Text>,
    output: String,
    priority: Priority,
    tags: Vec<String>,
    enabled: bool,
    source: String,
    exceptions: Vec<Node>,
    file: usize,
    pos: Pos,
}

/// Reads rule files in order, then resolves them with [`Loader::finish`].
#[derive(Default)]
pub struct Loader {
    files: Vec<(String, String)>,
    /// Each list with where it was (last) defined: (file index, position).
    lists: Vec<(String, Vec<String>, usize, Pos)>,
    macros: HashMap<String, Vec<Text>>,
    rules: Vec<RawRule>,
    engine_versions: Vec<String>,
    plugins: Vec<(String, String)>,
}

fn err(file: &str, p: Pos, message: impl Into<String>) -> LoadError {
    LoadError {
        file: file.into(),
        line: p.line,
        col: p.col,
        message: message.into(),
    }
}

/// Whether an item asks to extend (`append: true`, or `override: {key: append}`) or replace a key.
fn mode(item: &Node, key: &str) -> Option<&'static str> {
    if item.get("append").and_then(Node::as_str) == Some("true") {
        return Some("append");
    }
    match item
        .get("override")
        .and_then(|o| o.get(key))
        .and_then(Node::as_str)
    {
        Some("append") => Some("append"),
        Some("replace") => Some("replace"),
        _ => None,
    }
}

fn strings(n: &Node) -> Vec<String> {
    match n {
        Node::Seq(items, _) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Node::Scalar(s, _, _) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Self {
        Loader::default()
    }

    /// Reads the rule file at `path`.
    pub fn add_file(&mut self, path: &std::path::Path) -> Result<(), Vec<LoadError>> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![err(&name, Pos::default(), format!("cannot read: {e}"))])?;
        self.add_str(&name, &text)
    }

    /// Reads rules from `text`, reported as file `name`.
    pub fn add_str(&mut self, name: &str, text: &str) -> Result<(), Vec<LoadError>> {
        let docs = yaml::parse(text).map_err(|(m, p)| vec![err(name, p, format!("YAML: {m}"))])?;
        let fi = self.files.len();
        self.files.push((name.to_string(), text.to_string()));
        let mut errors = Vec::new();
        for doc in docs {
            let items = match doc {
                Node::Seq(items, _) => items,
                Node::Scalar(ref s, _, _) if s.is_empty() => continue,
                other => {
                    errors.push(err(
                        name,
                        other.pos(),
                        "expected a list of items (`- rule:`, `- macro:`, `- list:`)",
                    ));
                    continue;
                }
            };
            for item in &items {
                if let Err(e) = self.add_item(fi, item) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn add_item(&mut self, fi: usize, item: &Node) -> Result<(), LoadError> {
        let file = self.files[fi].0.clone();
        let e = |p: Pos, m: String| err(&file, p, m);
        let text_of = |n: &Node| -> Result<Text, LoadError> {
            match n {
                Node::Scalar(s, block, p) => Ok(Text {
                    text: s.clone(),
                    block: *block,
                    pos: *p,
                    file: fi,
                }),
                other => Err(e(other.pos(), "expected text".into())),
            }
        };
        if let Some(v) = item.get("required_engine_version") {
            self.engine_versions
                .push(v.as_str().unwrap_or_default().to_string());
            return Ok(());
        }
        if let Some(v) = item.get("required_plugin_versions") {
            if let Node::Seq(ps, _) = v {
                for p in ps {
                    let name = p.get("name").and_then(Node::as_str).unwrap_or_default();
                    let version = p.get("version").and_then(Node::as_str).unwrap_or_default();
                    self.plugins.push((name.into(), version.into()));
                }
            }
            return Ok(());
        }
        if let Some(name) = item.get("list") {
            let name = name
                .as_str()
                .ok_or_else(|| e(name.pos(), "a list name must be text".into()))?
                .to_string();
            let items = item.get("items").map(strings).unwrap_or_default();
            match (
                mode(item, "items"),
                self.lists.iter_mut().find(|(n, ..)| *n == name),
            ) {
                (Some("append"), Some((_, existing, ..))) => existing.extend(items),
                (Some("append"), None) => {
                    return Err(e(
                        item.pos(),
                        format!("cannot append to list `{name}`: it is not defined before"),
                    ));
                }
                (_, Some((_, existing, f, p))) => {
                    *existing = items;
                    (*f, *p) = (fi, item.pos());
                }
                (_, None) => self.lists.push((name, items, fi, item.pos())),
            }
            return Ok(());
        }
        if let Some(name) = item.get("macro") {
            let name = name
                .as_str()
                .ok_or_else(|| e(name.pos(), "a macro name must be text".into()))?
                .to_string();
            let cond = item
                .get("condition")
                .ok_or_else(|| e(item.pos(), format!("macro `{name}` has no condition")))?;
            let cond = text_of(cond)?;
            match (mode(item, "condition"), self.macros.get_mut(&name)) {
                (Some("append"), Some(existing)) => existing.push(cond),
                (Some("append"), None) => {
                    return Err(e(
                        item.pos(),
                        format!("cannot append to macro `{name}`: it is not defined before"),
                    ));
                }
                _ => {
                    self.macros.insert(name, vec![cond]);
                }
            }
            return Ok(());
        }
        if let Some(name) = item.get("rule") {
            let name = name
                .as_str()
                .ok_or_else(|| e(name.pos(), "a rule name must be text".into()))?
                .to_string();
            return self.add_rule(fi, &name, item);
        }
        let keys: Vec<&str> = match item {
            Node::Map(kv, _) => kv.iter().filter_map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        };
        Err(e(
            item.pos(),
            format!(
                "unknown item (keys: {}); expected `rule`, `macro`, `list`, `required_engine_version` or `required_plugin_versions`",
                keys.join(", ")
            ),
        ))
    }

    fn add_rule(&mut self, fi: usize, name: &str, item: &Node) -> Result<(), LoadError> {
        let file = self.files[fi].0.clone();
        let e = |p: Pos, m: String| err(&file, p, m);
        let get_str = |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
        let enabled = match item.get("enabled").and_then(Node::as_str) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(v) => {
                return Err(e(
                    item.get("enabled").expect("present").pos(),
                    format!("`enabled` must be true or false, not `{v}`"),
                ));
            }
        };
        let priority = match get_str("priority") {
            None => None,
            Some(p) => Some(Priority::parse(&p).ok_or_else(|| e(item.get("priority").expect("present").pos(), format!("unknown priority `{p}` (Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug)")))?),
        };
        let cond = item.get("condition").map(|c| match c {
            Node::Scalar(s, block, p) => Ok(Text {
                text: s.clone(),
                block: *block,
                pos: *p,
                file: fi,
            }),
            other => Err(e(other.pos(), "a condition must be text".into())),
        });
        let cond = cond.transpose()?;
        let exceptions = match item.get("exceptions") {
            Some(Node::Seq(x, _)) => x.clone(),
            _ => Vec::new(),
        };
        if let Some(existing) = self.rules.iter_mut().find(|r| r.name == name) {
            // Appends and overrides modify the earlier definition.
            let append = |key: &str| mode(item, key) == Some("append");
            if let Some(c) = cond {
                if append("condition") {
                    existing.condition.push(c)
                } else {
                    existing.condition = vec![c]
                }
            }
            if let Some(o) = get_str("output") {
                if append("output") {
                    existing.output = format!("{} {o}", existing.output)
                } else {
                    existing.output = o
                }
            }
            if let Some(d) = get_str("desc") {
                if append("desc") {
                    existing.desc = format!("{} {d}", existing.desc)
                } else {
                    existing.desc = d
                }
            }
            if let Some(p) = priority {
                existing.priority = p;
            }
            if let Some(t) = item.get("tags") {
                if append("tags") {
                    existing.tags.extend(strings(t))
                } else {
                    existing.tags = strings(t)
                }
            }
            if let Some(en) = enabled {
                existing.enabled = en;
            }
            if append("exceptions") || item.get("append").is_some() {
                existing.exceptions.extend(exceptions);
            } else if !exceptions.is_empty() {
                existing.exceptions = exceptions;
            }
            return Ok(());
        }
        if mode(item, "condition") == Some("append") {
            return Err(e(
                item.pos(),
                format!("cannot append to rule `{name}`: it is not defined before"),
            ));
        }
        let Some(cond) = cond else {
            return Err(e(item.pos(), format!("rule `{name}` has no condition")));
        };
        let output = get_str("output")
            .ok_or_else(|| e(item.pos(), format!("rule `{name}` has no output")))?;
        let priority =
            priority.ok_or_else(|| e(item.pos(), format!("rule `{name}` has no priority")))?;
        self.rules.push(RawRule {
            name: name.to_string(),
            desc: get_str("desc").unwrap_or_default(),
            condition: vec![cond],
            output: output.trim().to_string(),
            priority,
            tags: item.get("tags").map(strings).unwrap_or_default(),
            enabled: enabled.unwrap_or(true),
            source: get_str("source").unwrap_or_else(|| "syscall".into()),
            exceptions,
            file: fi,
            pos: item.pos(),
        });
        Ok(())
    }

    /// Flattens lists, parses and inlines macros, parses rule conditions and
    /// applies exceptions. Syntax errors fail the load; a rule that needs a
    /// macro nobody defined is skipped and reported.
    pub fn finish(self) -> Result<RuleSet, Vec<LoadError>> {
        // Lists: items naming an earlier list are replaced by its items.
        let mut lists: HashMap<String, Vec<String>> = HashMap::new();
        let mut errors = Vec::new();
        for (name, items, fi, pos) in &self.lists {
            // Lists of lists double with each level: bounded before they are built.
            let size: usize = items
                .iter()
                .map(|i| lists.get(i).map_or(1, Vec::len))
                .fold(0, usize::saturating_add);
            if size > MAX_LIST_ITEMS {
                errors.push(err(
                    &self.files[*fi].0,
                    *pos,
                    format!("list `{name}` expands to {size} items, more than {MAX_LIST_ITEMS}"),
                ));
                lists.insert(name.clone(), Vec::new());
                continue;
            }
            // Falco pastes a list's items into the condition as text, so an
            // item written with quotes (`'"10.0.0.0/8"'`) is that string unquoted.
            let unquote = |i: &String| {
                let b = i.as_bytes();
                if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
                    i[1..i.len() - 1].to_string()
                } else {
                    i.clone()
                }
            };
            let flat = items
                .iter()
                .flat_map(|i| lists.get(i).cloned().unwrap_or_else(|| vec![unquote(i)]))
                .collect();
            lists.insert(name.clone(), flat);
        }
        let list = |n: &str| lists.get(n).cloned();
        let parse = |t: &[Text], errors: &mut Vec<LoadError>| -> Option<Expr> {
            let text = t
                .iter()
                .map(|t| t.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            match condition::parse(&text, &list) {
                Ok(e) => Some(e),
                Err(SyntaxError { offset, message }) => {
                    // Find which piece the offset falls in, and where that piece is in its file.
                    let mut off = offset;
                    let mut at = &t[0];
                    for piece in t {
                        let len = piece.text.trim().len() + 1;
                        at = piece;
                        if off < len {
                            break;
                        }
                        off -= len;
                    }
                    let (fname, src) = &self.files[at.file];
                    let lead = at.text.len() - at.text.trim_start().len();
                    let (line, col) = yaml::locate(src, at.pos, at.block, &at.text, off + lead);
                    errors.push(LoadError {
                        file: fname.clone(),
                        line,
                        col,
                        message: format!("condition syntax: {message}"),
                    });
                    None
                }
            }
        };
        let mut macros: HashMap<String, Expr> = HashMap::new();
        let mut names: Vec<&String> = self.macros.keys().collect();
        names.sort();
        for name in names {
            if let Some(e) = parse(&self.macros[name], &mut errors) {
                macros.insert(name.clone(), e);
            }
        }
        let mut set = RuleSet {
            engine_versions: self.engine_versions.clone(),
            plugins: self.plugins.clone(),
            ..Default::default()
        };
        for r in &self.rules {
            let Some(cond) = parse(&r.condition, &mut errors) else {
                continue;
            };
            let file = &self.files[r.file].0;
            let mut cond =
                match inline(&cond, &macros, &mut Vec::new(), &mut { MAX_EXPANDED_NODES }) {
                    Ok(c) => c,
                    Err(why) => {
                        set.skipped.push(err(
                            file,
                            r.pos,
                            format!("rule `{}` skipped: {why}", r.name),
                        ));
                        continue;
                    }
                };
            match exceptions(&r.exceptions, &list) {
                Ok(Some(x)) => cond = Expr::And(vec![cond, Expr::Not(Box::new(x))]),
                Ok(None) => {}
                Err((p, m)) => {
                    errors.push(err(file, p, format!("rule `{}` exceptions: {m}", r.name)));
                    continue;
                }
            }
            set.rules.push(Rule {
                name: r.name.clone(),
                desc: r.desc.trim().to_string(),
                condition: cond,
                output: r.output.clone(),
                priority: r.priority,
                tags: r.tags.clone(),
                enabled: r.enabled,
                source: r.source.clone(),
                origin: (file.clone(), r.pos.line),
            });
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }
}

/// Most items a list may expand to (lists of lists double with each level).
pub const MAX_LIST_ITEMS: usize = 100_000;
/// Most nodes a rule's condition may have once its macros are inlined
/// (macros that use a macro twice double with each level).
pub const MAX_EXPANDED_NODES: usize = 200_000;
/// Deepest a condition may nest once its macros are inlined, so that
/// compiling and evaluating it cannot exhaust the stack.
pub const MAX_EXPANDED_DEPTH: usize = 256;

/// Replaces macro references by their conditions, recursively, within
/// `budget` nodes and [`MAX_EXPANDED_DEPTH`] levels.
fn inline(
    e: &Expr,
    macros: &HashMap<String, Expr>,
    stack: &mut Vec<String>,
    budget: &mut usize,
) -> Result<Expr, String> {
    inline_at(e, macros, stack, budget, 0)
}

fn inline_at(
    e: &Expr,
    macros: &HashMap<String, Expr>,
    stack: &mut Vec<String>,
    budget: &mut usize,
    depth: usize,
) -> Result<Expr, String> {
    if depth > MAX_EXPANDED_DEPTH {
        return Err(format!(
            "its condition nests deeper than {MAX_EXPANDED_DEPTH} levels once macros are inlined"
        ));
    }
    *budget = budget.checked_sub(1).ok_or_else(|| {
        format!("its condition grows past {MAX_EXPANDED_NODES} parts once macros are inlined")
    })?;
    let inline = |x: &Expr, stack: &mut Vec<String>, budget: &mut usize| {
        inline_at(x, macros, stack, budget, depth + 1)
    };
    Ok(match e {
        Expr::And(v) => Expr::And(
            v.iter()
                .map(|x| inline(x, stack, budget))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Or(v) => Expr::Or(
            v.iter()
                .map(|x| inline(x, stack, budget))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Not(x) => Expr::Not(Box::new(inline(x, stack, budget)?)),
        Expr::Check(c) => Expr::Check(c.clone()),
        Expr::Macro(name) => {
            if stack.contains(name) {
                return Err(format!(
                    "macro `{name}` refers to itself ({} -> {name})",
                    stack.join(" -> ")
                ));
            }
            let body = macros
                .get(name)
                .ok_or_else(|| format!("`{name}` is neither a field check nor a defined macro"))?;
            stack.push(name.clone());
            let r = inline(body, stack, budget);
            stack.pop();
            r?
        }
    })
}

/// The condition an exception list excludes: `(f1 c1 v1 and f2 c2 v2) or ...`.
fn exceptions(
    xs: &[Node],
    list: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Result<Option<Expr>, (Pos, String)> {
    let mut any = Vec::new();
    for x in xs {
        let name = x.get("name").and_then(Node::as_str).unwrap_or("(unnamed)");
        let fields_node = x
            .get("fields")
            .ok_or((x.pos(), format!("exception `{name}` has no fields")))?;
        let single = matches!(fields_node, Node::Scalar(..));
        let fields = strings(fields_node);
        let comps: Vec<String> = match x.get("comps") {
            Some(c) => strings(c),
            None if single => vec!["in".into()],
            None => vec!["=".into(); fields.len()],
        };
        if comps.len() != fields.len() {
            return Err((
                x.pos(),
                format!(
                    "exception `{name}` has {} fields but {} comps",
                    fields.len(),
                    comps.len()
                ),
            ));
        }
        let field = |f: &str| {
            let (name, arg) = match f.split_once('[') {
                Some((n, a)) => (n.to_string(), Some(a.trim_end_matches(']').to_string())),
                None => (f.to_string(), None),
            };
            Operand::Field { name, arg }
        };
        let check = |f: &str, c: &str, v: &Node| -> Result<Expr, (Pos, String)> {
            let op = Op::from_word(c).ok_or((v.pos(), format!("unknown comparison `{c}`")))?;
            let rhs = if op.takes_list() {
                Rhs::List(
                    strings(v)
                        .into_iter()
                        .flat_map(|i| list(&i).unwrap_or_else(|| vec![i]))
                        .collect(),
                )
            } else {
                Rhs::Value(v.as_str().unwrap_or_default().to_string())
            };
            Ok(Expr::Check(Check {
                lhs: field(f),
                op,
                rhs,
            }))
        };
        let Some(Node::Seq(values, _)) = x.get("values") else {
            continue;
        };
        if single {
            // One field: the values are the list (or values) compared with it.
            let all = Node::Seq(values.clone(), x.pos());
            any.push(check(&fields[0], &comps[0], &all)?);
            continue;
        }
        for row in values {
            let Node::Seq(cells, p) = row else {
                return Err((
                    row.pos(),
                    "each exception value must be a list, one entry per field".into(),
                ));
            };
            if cells.len() != fields.len() {
                return Err((
                    *p,
                    format!(
                        "exception `{name}`: {} values for {} fields",
                        cells.len(),
                        fields.len()
                    ),
                ));
            }
            let parts = fields
                .iter()
                .zip(&comps)
                .zip(cells)
                .map(|((f, c), v)| check(f, c, v))
                .collect::<Result<Vec<_>, _>>()?;
            any.push(Expr::And(parts));
        }
    }
    Ok(match any.len() {
        0 => None,
        1 => any.pop(),
        _ => Some(Expr::Or(any)),
    })
}
