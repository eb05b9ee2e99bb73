//! Rules compiled once: field names resolved, literals converted to the
//! field's type, regexes built, and the event kinds each rule can match
//! computed (so chunks holding none of them are skipped undecoded).

use std::borrow::Cow;
use std::net::IpAddr;

use shrike_format::{CommonColumns, Kind};
use shrike_rule_lang::ast::{Check, Expr, Op, Operand, Rhs, Transformer};

use crate::fields::{Ctx, FdField, Field, ProcField, Type, Val, ancestors, extract};

/// Why a condition cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// A field shrike does not provide.
    Field(String),
    /// Every field of a condition shrike does not provide (all of them, so a
    /// report says at once what a rule needs).
    Fields(Vec<String>),
    /// `evt.type` names no event Linux or Falco knows (a typo): Falco refuses
    /// such a rule at load, and so does shrike.
    UnknownTypes(Vec<String>),
    /// Fields of no class Falco has (`prc.name`): a typo, refused at load.
    UnknownFields(Vec<String>),
    /// A literal that does not fit its field, or an operator the type does not allow.
    Invalid(String),
}

impl CompileError {
    /// Whether the condition is wrong (a load error), not merely beyond
    /// what shrike records (a rule skipped).
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            CompileError::UnknownTypes(_) | CompileError::Invalid(_)
        )
    }
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Field(n) => write!(f, "field {n} is not available in shrike captures"),
            CompileError::Fields(v) => write!(
                f,
                "field{} {} not available in shrike captures",
                if v.len() > 1 { "s" } else { "" },
                v.join(", ") + if v.len() > 1 { " are" } else { " is" }
            ),
            CompileError::UnknownTypes(v) => write!(
                f,
                "unknown event type{} {} (not a Linux syscall or a Falco event)",
                if v.len() > 1 { "s" } else { "" },
                v.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CompileError::UnknownFields(v) => write!(
                f,
                "unknown field{} {} (not a field of Falco's, nor shrike's)",
                if v.len() > 1 { "s" } else { "" },
                v.join(", ")
            ),
            CompileError::Invalid(m) => f.write_str(m),
        }
    }
}

/// The classes of Falco's syscall fields (the part of a name before its
/// first dot), and shrike's own: a field of another class is a typo.
const FIELD_CLASSES: &[&str] = &[
    "evt",
    "evtin",
    "proc",
    "thread",
    "fd",
    "fdlist",
    "user",
    "group",
    "container",
    "k8s",
    "k8smeta",
    "mesos",
    "marathon",
    "fs",
    "syslog",
    "span",
    "tracer",
    "shrike",
];

/// Falco's events that are not syscalls, which `evt.type` may name.
const FALCO_EVENTS: &[&str] = &[
    "procexit",
    "container",
    "signaldeliver",
    "switch",
    "drop",
    "notification",
    "infra",
    "page_fault",
    "cpu_hotplug",
    "pluginevent",
    "scapevent",
    "sysdigevent",
    "procinfo",
    "k8s",
    "tracer",
    "mesos",
    "asyncevent",
    "umount",
    "mmap2",
    "socketcall",
    "llseek",
    "fcntl64",
    "signalfd4",
    "openat2",
    "open_by_handle_at",
    "execveat",
];

/// Whether `evt.type` may be compared with `n`.
fn known_event_type(n: &str) -> bool {
    shrike_format::linux::syscall_nr(n).is_some()
        || Kind::from_name(n).is_some()
        || FALCO_EVENTS.contains(&n)
}

/// What a condition names that does not exist (event types) or that shrike
/// does not record (fields), all of it, before anything is compiled.
fn check_names(e: &Expr) -> Result<(), CompileError> {
    fn walk(e: &Expr, types: &mut Vec<String>, fields: &mut Vec<String>) {
        match e {
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| walk(e, types, fields)),
            Expr::Not(e) => walk(e, types, fields),
            Expr::Macro(_) => {}
            Expr::Check(c) => {
                let mut operand = |o: &Operand| {
                    let (name, arg) = o.field();
                    if Field::resolve(name, arg).is_none() {
                        let n = arg.map_or_else(|| name.to_string(), |a| format!("{name}[{a}]"));
                        if !fields.contains(&n) {
                            fields.push(n);
                        }
                    }
                };
                operand(&c.lhs);
                if let Rhs::Field(o) = &c.rhs {
                    operand(o);
                }
                if c.lhs.field() == ("evt.type", None) {
                    let names: Vec<&String> = match &c.rhs {
                        Rhs::Value(v) => vec![v],
                        Rhs::List(l) => l.iter().collect(),
                        _ => Vec::new(),
                    };
                    for n in names {
                        if !known_event_type(n) && !types.contains(n) {
                            types.push(n.clone());
                        }
                    }
                }
            }
        }
    }
    let (mut types, mut fields) = (Vec::new(), Vec::new());
    walk(e, &mut types, &mut fields);
    if !types.is_empty() {
        return Err(CompileError::UnknownTypes(types));
    }
    let unknown: Vec<String> = fields
        .iter()
        .filter(|f| {
            let class = f.split('.').next().unwrap_or("");
            // A class Falco lacks, or a libsinsp class without this field: a
            // typo, not a field shrike lacks.
            !FIELD_CLASSES.contains(&class)
                || (crate::falco_fields::CLASSES.contains(&class)
                    && !crate::falco_fields::known(f.split('[').next().unwrap_or(f)))
        })
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(CompileError::UnknownFields(unknown));
    }
    if !fields.is_empty() {
        return Err(CompileError::Fields(fields));
    }
    Ok(())
}

/// A compiled condition.
pub struct Condition {
    /// Kind ids the condition can match (bit k = kind k); all bits when unconstrained.
    pub kinds: u128,
    /// The condition for events of each kind id (index 127 holds the ids
    /// beyond), with every `evt.type` test settled for that kind.
    programs: Vec<Program>,
    /// The common columns it reads besides pid and comm.
    columns: CommonColumns,
}

#[derive(Clone)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Shared by the programs of every kind the condition is compiled for.
    Cmp(std::sync::Arc<Cmp>),
    /// `evt.type = X` / `evt.type in (...)`, as a test of the kind id.
    Kinds(u128),
    /// A condition several rules share (a macro, mostly), evaluated once per
    /// event and remembered in slot `.0` of the event's memo.
    Shared(u8, Box<Node>),
}

/// Conditions that occur more than once across a rule set, each given a memo slot.
#[derive(Default)]
pub struct Shared {
    slots: std::collections::HashMap<Expr, u8>,
    /// Left-hand operands compared more than once (`fd.name` against many
    /// paths, mostly), each given a slot of the event's value cache.
    values: std::collections::HashMap<Operand, u8>,
}

/// Memo slots per event (bits of a u64).
const SLOTS: usize = 64;

impl Shared {
    /// Finds the conditions (and/or/not groups and comparisons, not bare
    /// `evt.type` tests, which cost less than a lookup) that appear at least
    /// twice in `conditions`.
    pub fn find<'a>(conditions: impl IntoIterator<Item = &'a Expr>) -> Shared {
        let mut counts: std::collections::HashMap<&Expr, usize> = Default::default();
        let mut operands: std::collections::HashMap<&Operand, usize> = Default::default();
        fn walk<'a>(
            e: &'a Expr,
            counts: &mut std::collections::HashMap<&'a Expr, usize>,
            operands: &mut std::collections::HashMap<&'a Operand, usize>,
        ) {
            match e {
                Expr::And(v) | Expr::Or(v) => v.iter().for_each(|x| walk(x, counts, operands)),
                Expr::Not(x) => walk(x, counts, operands),
                Expr::Check(c) if evt_type_bits(c).is_some() => return,
                Expr::Check(c) => *operands.entry(&c.lhs).or_default() += 1,
                Expr::Macro(_) => {}
            }
            *counts.entry(e).or_default() += 1;
        }
        for e in conditions {
            walk(e, &mut counts, &mut operands);
        }
        let mut values: Vec<(&Operand, usize)> =
            operands.into_iter().filter(|&(_, n)| n > 1).collect();
        values.sort_by_key(|(o, n)| (std::cmp::Reverse(*n), format!("{o:?}")));
        // Larger conditions first: they save the most; slots run out at 64.
        let mut repeated: Vec<(&Expr, usize)> =
            counts.into_iter().filter(|&(_, n)| n > 1).collect();
        repeated.sort_by_key(|(e, n)| (std::cmp::Reverse(size(e) * n), format!("{e:?}")));
        Shared {
            slots: repeated
                .into_iter()
                .take(SLOTS)
                .enumerate()
                .map(|(i, (e, _))| (e.clone(), i as u8))
                .collect(),
            values: values
                .into_iter()
                .take(crate::fields::VALUE_SLOTS)
                .enumerate()
                .map(|(i, (o, _))| (o.clone(), i as u8))
                .collect(),
        }
    }
}

/// A rough price of evaluating `n`: kind tests, then the event's own fields,
/// then lookups in the process history, then walks up the ancestors.
fn cost(n: &Node) -> u8 {
    match n {
        Node::Kinds(_) => 0,
        Node::Cmp(c) => match (&c.any_ancestor, &c.lhs.field) {
            (Some(_), _) => 3,
            // The event's own comm and pid need no lookup.
            (None, Field::Proc(ProcField::Name | ProcField::Pid, 0)) => 1,
            (None, Field::Proc(_, 0)) => 2,
            (None, Field::Proc(_, _)) => 3,
            (None, Field::CapEffective | Field::CapPermitted | Field::UserLoginUid)
            | (
                None,
                Field::UserLoginName
                | Field::StdioType(_)
                | Field::StdinWriter
                | Field::StdinWriterCmdline,
            ) => 2,
            _ => 1,
        },
        Node::Not(x) | Node::Shared(_, x) => cost(x),
        Node::And(v) | Node::Or(v) => v.iter().map(cost).max().unwrap_or(0),
    }
}

fn size(e: &Expr) -> usize {
    match e {
        Expr::And(v) | Expr::Or(v) => 1 + v.iter().map(size).sum::<usize>(),
        Expr::Not(x) => 1 + size(x),
        _ => 1,
    }
}

struct Operand2 {
    field: Field,
    transforms: Vec<Transformer>,
    /// Where the event's value cache keeps this operand's value, when it is shared.
    slot: Option<u8>,
}

enum Lit {
    Str(Vec<u8>),
    Num(i128),
    Bool(bool),
    Ip(IpAddr),
    Net(IpAddr, u8),
}

enum R {
    None,
    One(Lit),
    List(Vec<Lit>),
    /// A list of strings long enough that hashing beats comparing one by one
    /// (Falco's lists of binaries run to hundreds); the list is kept for
    /// values that are not strings.
    StrSet(Box<StrSet>, Vec<Lit>),
    Regex(regex::bytes::Regex),
    /// `contains` a literal, with its searcher built once instead of per event.
    Contains(Box<memchr::memmem::Finder<'static>>),
    /// A glob with the literal text before its first wildcard, which most
    /// values fail on at once.
    Glob(Box<GlobPattern>),
    PMatch(Vec<PathPattern>),
    Field(Operand2),
}

/// A set of strings, with the lengths they come in: most values have a
/// length no member has and are turned away without being hashed.
struct StrSet {
    set: rustc_hash::FxHashSet<Vec<u8>>,
    /// Bit n: some member is n bytes long (bit 63: 63 or longer).
    lengths: u64,
}

impl StrSet {
    fn new(members: impl IntoIterator<Item = Vec<u8>>) -> StrSet {
        let set: rustc_hash::FxHashSet<Vec<u8>> = members.into_iter().collect();
        let lengths = set.iter().fold(0, |b, m| b | StrSet::length_bit(m));
        StrSet { set, lengths }
    }

    #[inline]
    fn length_bit(s: &[u8]) -> u64 {
        1 << s.len().min(63)
    }

    fn contains(&self, s: &[u8]) -> bool {
        self.lengths & StrSet::length_bit(s) != 0 && self.set.contains(s)
    }
}

/// A glob, with what any matching value must hold found once: the literal
/// text before its first wildcard, after its last, and its longest literal
/// run, which most values fail on without the glob being run.
struct GlobPattern {
    prefix: Vec<u8>,
    rest: Vec<u8>,
    /// Empty when the pattern ends in a wildcard, or has classes or escapes.
    suffix: Vec<u8>,
    /// Longest literal run after the prefix (`None` with classes or escapes).
    inner: Option<memchr::memmem::Finder<'static>>,
}

impl GlobPattern {
    fn new(p: &[u8]) -> GlobPattern {
        let cut = p
            .iter()
            .position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'))
            .unwrap_or(p.len());
        let rest = &p[cut..];
        // Classes and escapes make a literal run harder to read off; those
        // patterns go straight to the glob.
        let simple = !rest.iter().any(|b| matches!(b, b'[' | b'\\'));
        let runs: Vec<&[u8]> = if simple {
            rest.split(|b| matches!(b, b'*' | b'?')).collect()
        } else {
            Vec::new()
        };
        let suffix = match runs.last() {
            Some(last) if runs.len() > 1 => last.to_vec(),
            _ => Vec::new(),
        };
        let inner = runs
            .iter()
            .max_by_key(|r| r.len())
            .filter(|r| !r.is_empty())
            .map(|r| memchr::memmem::Finder::new(r).into_owned());
        GlobPattern {
            prefix: p[..cut].to_vec(),
            rest: rest.to_vec(),
            suffix,
            inner,
        }
    }

    fn matches(&self, s: &[u8]) -> bool {
        // The prefix has no wildcard, so it matches byte for byte or not at all.
        if !starts_with(s, &self.prefix) {
            return false;
        }
        let tail = &s[self.prefix.len()..];
        ends_with(tail, &self.suffix)
            && self.inner.as_ref().is_none_or(|f| f.find(tail).is_some())
            && glob(&self.rest, tail)
    }
}

/// One `pmatch` path: its components, and for a path without wildcards the
/// same path written canonically (`/a/b`), compared as a prefix in one step.
struct PathPattern {
    parts: Vec<Vec<u8>>,
    literal: Option<Vec<u8>>,
}

impl PathPattern {
    fn new(p: &[u8]) -> PathPattern {
        let parts: Vec<Vec<u8>> = path_parts(p).map(<[u8]>::to_vec).collect();
        let wild = parts
            .iter()
            .any(|c| c.iter().any(|b| matches!(b, b'*' | b'?' | b'[')));
        let literal = (!wild).then(|| {
            parts
                .iter()
                .flat_map(|c| [&b"/"[..], c])
                .flatten()
                .copied()
                .collect()
        });
        PathPattern { parts, literal }
    }

    /// Whether the components of `path` begin with this pattern's; `plain`
    /// says `path` is absolute with no empty component, so that its text is
    /// its canonical form.
    fn matches(&self, path: &[u8], plain: bool) -> bool {
        if plain && let Some(l) = &self.literal {
            return starts_with(path, l) && path.get(l.len()).is_none_or(|&b| b == b'/');
        }
        let mut got = path_parts(path);
        self.parts
            .iter()
            .all(|want| got.next().is_some_and(|g| component_match(want, g)))
    }
}

struct Cmp {
    lhs: Operand2,
    op: Op,
    rhs: R,
    any_ancestor: Option<ProcField>,
}

const ALL_KINDS: u128 = u128::MAX;

/// Lists of at least this many strings are looked up in a hash set.
const STR_SET_MIN: usize = 4;

fn operand(o: &Operand, shared: &Shared) -> Result<Operand2, CompileError> {
    let slot = shared.values.get(o).copied();
    let mut transforms = Vec::new();
    let mut cur = o;
    while let Operand::Transform(t, inner) = cur {
        transforms.push(*t);
        cur = inner;
    }
    transforms.reverse();
    let (name, arg) = cur.field();
    let field = Field::resolve(name, arg).ok_or_else(|| {
        CompileError::Field(match arg {
            Some(a) => format!("{name}[{a}]"),
            None => name.to_string(),
        })
    })?;
    Ok(Operand2 {
        field,
        transforms,
        slot,
    })
}

fn ty_after(o: &Operand2) -> Type {
    if o.transforms.contains(&Transformer::Len) {
        Type::Num
    } else {
        o.field.ty()
    }
}

fn lit(ty: Type, s: &str, op: Op) -> Result<Lit, CompileError> {
    let bad = |what: &str| CompileError::Invalid(format!("`{s}` is not {what}"));
    Ok(match ty {
        Type::Str if matches!(op, Op::BContains | Op::BStartsWith) => {
            let b = (0..s.len() / 2)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| bad("a hex string"))?;
            Lit::Str(b)
        }
        Type::Str => Lit::Str(s.as_bytes().to_vec()),
        Type::Num => Lit::Num(s.parse::<i128>().map_err(|_| bad("a number"))?),
        Type::Bool => Lit::Bool(match s {
            "true" => true,
            "false" => false,
            _ => return Err(bad("true or false")),
        }),
        Type::Ip => match s.split_once('/') {
            Some((ip, bits)) => Lit::Net(
                ip.parse().map_err(|_| bad("a network (CIDR)"))?,
                bits.parse().map_err(|_| bad("a network (CIDR)"))?,
            ),
            None => Lit::Ip(s.parse().map_err(|_| bad("an IP address"))?),
        },
    })
}

/// Compiles a condition.
pub fn compile(e: &Expr) -> Result<Condition, CompileError> {
    compile_shared(e, &Shared::default())
}

/// Compiles a condition whose parts in `shared` are evaluated once per event across rules.
pub fn compile_shared(e: &Expr, shared: &Shared) -> Result<Condition, CompileError> {
    check_names(e)?;
    let kinds = kinds(e).unwrap_or(ALL_KINDS);
    let root = node(e, shared)?;
    // An event's kind is known before any test, so each kind gets the
    // condition with its `evt.type` tests settled, and a branch only another
    // kind can take is gone.
    let programs = (0..128)
        .map(|k| {
            let bit = 1u128 << k;
            if kinds & bit == 0 {
                return Program::constant(false);
            }
            match fold(&root, bit) {
                Folded::Const(c) => Program::constant(c),
                Folded::Node(n) => Program::new(&n, k),
            }
        })
        .collect();
    Ok(Condition {
        kinds,
        programs,
        columns: columns(&root),
    })
}

/// A node with what is known about it before any event.
enum Folded {
    Const(bool),
    Node(Node),
}

/// Simplifies the operands of an `and` (or, with `and` false, an `or`).
fn fold_all(v: &[Node], and: bool, kinds: u128) -> Folded {
    let mut kept = Vec::with_capacity(v.len());
    for x in v {
        match fold(x, kinds) {
            // true in an `and`, false in an `or`, changes nothing.
            Folded::Const(c) if c == and => {}
            Folded::Const(c) => return Folded::Const(c),
            Folded::Node(x) => kept.push(x),
        }
    }
    match kept.len() {
        0 => Folded::Const(and),
        1 => Folded::Node(kept.pop().expect("one")),
        _ if and => Folded::Node(Node::And(kept)),
        _ => Folded::Node(Node::Or(kept)),
    }
}

/// Simplifies `n` for events whose kind is one of `kinds`.
fn fold(n: &Node, kinds: u128) -> Folded {
    match n {
        Node::Kinds(bits) if kinds & !bits == 0 => Folded::Const(true),
        Node::Kinds(bits) if kinds & bits == 0 => Folded::Const(false),
        Node::And(v) => fold_all(v, true, kinds),
        Node::Or(v) => fold_all(v, false, kinds),
        Node::Not(x) => match fold(x, kinds) {
            Folded::Const(c) => Folded::Const(!c),
            Folded::Node(x) => Folded::Node(Node::Not(Box::new(x))),
        },
        // The memo holds the condition's value for the event, which the fold
        // does not change for the events this rule sees.
        Node::Shared(slot, x) => match fold(x, kinds) {
            Folded::Const(c) => Folded::Const(c),
            Folded::Node(x) => Folded::Node(Node::Shared(*slot, Box::new(x))),
        },
        n => Folded::Node(n.clone()),
    }
}

fn node(e: &Expr, shared: &Shared) -> Result<Node, CompileError> {
    let all = |v: &[Expr]| {
        v.iter()
            .map(|x| node(x, shared))
            .collect::<Result<Vec<_>, _>>()
    };
    let n = match e {
        Expr::And(v) => {
            // Cheapest tests first: conditions have no side effects and a
            // missing value is just false, so the order only changes the cost.
            let mut v = all(v)?;
            v.sort_by_key(cost);
            Node::And(v)
        }
        Expr::Or(v) => Node::Or(all(v)?),
        Expr::Not(x) => Node::Not(Box::new(node(x, shared)?)),
        Expr::Macro(m) => return Err(CompileError::Invalid(format!("unresolved macro {m}"))),
        Expr::Check(c) => check(c, shared)?,
    };
    Ok(match shared.slots.get(e) {
        Some(&slot) => Node::Shared(slot, Box::new(n)),
        None => n,
    })
}

fn check(c: &Check, shared: &Shared) -> Result<Node, CompileError> {
    if let Some(bits) = evt_type_bits(c) {
        let named = bits & BY_NAME;
        if named == 0 {
            return Ok(Node::Kinds(bits));
        }
        // A `syscall` event is of whichever syscall its number says, an
        // `io_uring` one of the syscall its opcode does: for them the name
        // is compared, for the other kinds the kind settles it.
        return Ok(Node::Or(vec![
            Node::Kinds(bits & !BY_NAME),
            Node::And(vec![Node::Kinds(named), field_check(c, shared)?]),
        ]));
    }
    field_check(c, shared)
}

/// The kind bit of `syscall` events (a syscall without a tracepoint of its own).
const SYSCALL_BIT: u128 = 1u128 << Kind::Syscall as u16;
/// The kind bit of `io_uring` events (a request through io_uring).
const URING_BIT: u128 = 1u128 << Kind::IoUring as u16;
/// The kinds whose `evt.type` is read from the event, not from its kind.
const BY_NAME: u128 = SYSCALL_BIT | URING_BIT;

/// `c` as a comparison of the field's value (no kind shortcut).
fn field_check(c: &Check, shared: &Shared) -> Result<Node, CompileError> {
    let lhs = operand(&c.lhs, shared)?;
    // fd.ip and fd.port match either end of the connection.
    if let Field::Fd(f @ (FdField::Ip | FdField::Port)) = lhs.field {
        let (a, b) = match (f, c.lhs.field().0) {
            (FdField::Ip, "fd.net") => ("fd.cnet", "fd.snet"),
            (FdField::Ip, _) => ("fd.cip", "fd.sip"),
            _ => ("fd.cport", "fd.sport"),
        };
        let side = |name: &str| Check {
            lhs: Operand::Field {
                name: name.into(),
                arg: None,
            },
            op: c.op,
            rhs: c.rhs.clone(),
        };
        let both = vec![check(&side(a), shared)?, check(&side(b), shared)?];
        // libsinsp: `=` holds when either end matches, `!=` when neither does.
        return Ok(if c.op == Op::Ne {
            Node::And(both)
        } else {
            Node::Or(both)
        });
    }
    let any_ancestor = match lhs.field {
        Field::AnyAncestor(f) => Some(f),
        _ => None,
    };
    let ty = match any_ancestor {
        Some(ProcField::Pid) => Type::Num,
        Some(_) => Type::Str,
        None => ty_after(&lhs),
    };
    let allowed = match ty {
        Type::Num => matches!(
            c.op,
            Op::Eq
                | Op::Ne
                | Op::Lt
                | Op::Le
                | Op::Gt
                | Op::Ge
                | Op::In
                | Op::Intersects
                | Op::Exists
        ),
        Type::Bool | Type::Ip => {
            matches!(c.op, Op::Eq | Op::Ne | Op::In | Op::Intersects | Op::Exists)
        }
        // As in Falco: no ordering of text, and the b-operators are for byte
        // buffers, which shrike's fields are not.
        Type::Str => !matches!(
            c.op,
            Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::BContains | Op::BStartsWith
        ),
    };
    if !allowed {
        return Err(CompileError::Invalid(format!(
            "operator `{}` cannot be used on {} (a {})",
            c.op.word(),
            c.lhs.field().0,
            match ty {
                Type::Num => "number",
                Type::Bool => "boolean",
                Type::Ip => "address",
                Type::Str => "text field",
            }
        )));
    }
    // An address field takes addresses; networks go with its `net` twin.
    let name = c.lhs.field().0;
    if name.starts_with("fd.") && name.ends_with("ip") {
        let items: Vec<&String> = match &c.rhs {
            Rhs::Value(v) => vec![v],
            Rhs::List(l) => l.iter().collect(),
            _ => Vec::new(),
        };
        if let Some(net) = items.iter().find(|v| v.contains('/')) {
            return Err(CompileError::Invalid(format!(
                "`{net}` is a network: {name} takes addresses (compare {} with it)",
                name.trim_end_matches("ip").to_string() + "net"
            )));
        }
    }
    // A port takes a service name for its number (libsinsp's getservbyname).
    let is_port = lhs.transforms.is_empty()
        && matches!(
            lhs.field,
            Field::Fd(
                FdField::Port | FdField::Sport | FdField::Cport | FdField::Lport | FdField::Rport
            )
        );
    let lit = |ty: Type, v: &str, op: Op| {
        if is_port {
            let n = crate::services::port(v).map_err(CompileError::Invalid)?;
            lit(ty, &n, op)
        } else {
            lit(ty, v, op)
        }
    };
    let rhs = match (&c.rhs, c.op) {
        (Rhs::None, _) => R::None,
        (Rhs::Value(v), Op::Regex) => R::Regex(
            regex::bytes::Regex::new(&format!("^(?:{v})$"))
                .map_err(|e| CompileError::Invalid(format!("regex `{v}`: {e}")))?,
        ),
        (Rhs::Value(v), Op::Glob) if ty == Type::Str => {
            R::Glob(Box::new(GlobPattern::new(v.as_bytes())))
        }
        (Rhs::Value(v), op @ (Op::Contains | Op::BContains)) if ty == Type::Str => {
            match lit(ty, v, op)? {
                Lit::Str(b) => R::Contains(Box::new(memchr::memmem::Finder::new(&b).into_owned())),
                other => R::One(other),
            }
        }
        (Rhs::Value(v), op) => R::One(lit(ty, v, op)?),
        (Rhs::List(items), Op::PMatch) => R::PMatch(
            items
                .iter()
                .map(|i| PathPattern::new(i.as_bytes()))
                .collect(),
        ),
        (Rhs::List(items), op) => {
            let lits = items
                .iter()
                .map(|i| lit(ty, i, op))
                .collect::<Result<Vec<_>, _>>()?;
            if ty == Type::Str && lits.len() >= STR_SET_MIN {
                let set = StrSet::new(lits.iter().filter_map(|l| match l {
                    Lit::Str(b) => Some(b.clone()),
                    _ => None,
                }));
                R::StrSet(Box::new(set), lits)
            } else {
                R::List(lits)
            }
        }
        (Rhs::Field(o), _) => R::Field(operand(o, shared)?),
    };
    Ok(Node::Cmp(std::sync::Arc::new(Cmp {
        lhs,
        op: c.op,
        rhs,
        any_ancestor,
    })))
}

/// The kinds an `evt.type = X` or `evt.type in (...)` check accepts (names shrike does not record match nothing).
fn evt_type_bits(c: &Check) -> Option<u128> {
    let bits = |names: &mut dyn Iterator<Item = &str>| {
        names.fold(0u128, |b, n| {
            let k = match n {
                "umount" => Some(Kind::Umount2),
                n => Kind::from_name(n),
            };
            // Any syscall may arrive as a `syscall` event on a kernel without
            // its tracepoint, and some as requests through io_uring.
            let b = if shrike_format::linux::syscall_nr(n).is_some() {
                b | SYSCALL_BIT
            } else {
                b
            };
            let b = if n == "io_uring"
                || shrike_format::linux::URING_OP_SYSCALLS
                    .iter()
                    .any(|o| o.1 == n)
            {
                b | URING_BIT
            } else {
                b
            };
            k.map_or(b, |k| b | 1u128 << k.id())
        })
    };
    match (&c.lhs, c.op, &c.rhs) {
        (Operand::Field { name, arg: None }, Op::Eq, Rhs::Value(v)) if name == "evt.type" => {
            Some(bits(&mut std::iter::once(v.as_str())))
        }
        (Operand::Field { name, arg: None }, Op::In, Rhs::List(l)) if name == "evt.type" => {
            Some(bits(&mut l.iter().map(String::as_str)))
        }
        _ => None,
    }
}

/// The kinds `e` can match, or `None` when it does not constrain `evt.type`.
fn kinds(e: &Expr) -> Option<u128> {
    match e {
        Expr::Check(c) => evt_type_bits(c),
        Expr::And(v) => v.iter().filter_map(kinds).reduce(|a, b| a & b),
        Expr::Or(v) => v
            .iter()
            .map(kinds)
            .try_fold(0u128, |acc, k| k.map(|k| acc | k)),
        _ => None,
    }
}

/// The non-empty `/`-separated components of a path.
fn path_parts(p: &[u8]) -> impl Iterator<Item = &[u8]> {
    p.split(|&c| c == b'/').filter(|c| !c.is_empty())
}

/// The common columns `n` reads besides pid and comm.
fn columns(n: &Node) -> CommonColumns {
    match n {
        Node::And(v) | Node::Or(v) => v
            .iter()
            .fold(CommonColumns::NONE, |a, x| a.with(columns(x))),
        Node::Not(x) | Node::Shared(_, x) => columns(x),
        Node::Kinds(_) => CommonColumns::NONE,
        Node::Cmp(c) => match &c.rhs {
            R::Field(o) => c.lhs.field.columns().with(o.field.columns()),
            _ => c.lhs.field.columns(),
        },
    }
}

impl Condition {
    /// The common columns the condition reads besides pid and comm.
    pub fn columns(&self) -> CommonColumns {
        self.columns
    }

    /// Whether the event in `c` satisfies the condition.
    pub fn matches(&self, c: &Ctx<'_, '_>) -> bool {
        let kind = usize::from(c.ev.kind_id().min(127));
        self.programs[kind].matches(c)
    }

    /// The program that decides events of kind id `kind` (127 for all beyond).
    pub(crate) fn program(&self, kind: usize) -> &Program {
        &self.programs[kind]
    }
}

/// A condition flattened into tests, each naming the step to go to when it
/// holds and when it does not: `and`, `or` and `not` become jumps, so an
/// event pays for its comparisons and not for a walk down a tree.
#[derive(Clone)]
pub(crate) struct Program {
    steps: Vec<Step>,
    /// The first step (or [`TRUE`] / [`FALSE`]).
    entry: u32,
    /// The memo slot of a shared condition the program starts with and
    /// cannot hold without: once another rule found it false for the event,
    /// the program is false without being run (rules of one kind often
    /// begin with the same macro, `open_write` say).
    guard: Option<u8>,
}

/// The condition holds.
const TRUE: u32 = u32::MAX;
/// The condition does not hold.
const FALSE: u32 = u32::MAX - 1;

#[derive(Clone)]
struct Step {
    test: Test,
    /// Where to go when the test holds (or, for [`Test::Remember`], next).
    yes: u32,
    no: u32,
}

#[derive(Clone)]
enum Test {
    Cmp(std::sync::Arc<Cmp>),
    /// Comparisons of one operand joined by `or` (a path against a list of
    /// patterns, mostly): the value is fetched once and the comparisons run
    /// in one step.
    AnyOf(Vec<std::sync::Arc<Cmp>>),
    /// A shared condition: its remembered value picks `yes` or `no`; not
    /// worked out yet for this event, its tests start at `body`.
    Memo {
        slot: u8,
        body: u32,
    },
    /// Remembers the shared condition's value, then goes on to `yes`.
    Remember {
        slot: u8,
        value: bool,
    },
}

impl Program {
    fn constant(c: bool) -> Program {
        Program {
            steps: Vec::new(),
            entry: if c { TRUE } else { FALSE },
            guard: None,
        }
    }

    /// The program of `n` for events of kind id `kind`.
    fn new(n: &Node, kind: usize) -> Program {
        let mut p = Program::constant(false);
        p.entry = p.emit(n, kind, TRUE, FALSE);
        p.guard = match p.steps.get(p.entry as usize) {
            Some(Step {
                test: Test::Memo { slot, .. },
                no: FALSE,
                ..
            }) => Some(*slot),
            _ => None,
        };
        p
    }

    /// Adds a step; returns its index.
    fn step(&mut self, test: Test, yes: u32, no: u32) -> u32 {
        self.steps.push(Step { test, yes, no });
        (self.steps.len() - 1) as u32
    }

    /// Adds the steps of `n` for events of kind id `kind`, which go on to
    /// `yes` or `no`; returns its first step.
    fn emit(&mut self, n: &Node, kind: usize, yes: u32, no: u32) -> u32 {
        match n {
            // Built from the last operand back, so each knows where it goes next.
            Node::And(v) => v
                .iter()
                .rev()
                .fold(yes, |next, x| self.emit(x, kind, next, no)),
            Node::Or(v) => v
                .chunk_by(same_operand)
                .rev()
                .fold(no, |next, run| match run {
                    [x] => self.emit(x, kind, yes, next),
                    _ => {
                        let cmps = run
                            .iter()
                            .filter_map(|x| match x {
                                Node::Cmp(c) => Some(c.clone()),
                                _ => None,
                            })
                            .collect();
                        self.step(Test::AnyOf(cmps), yes, next)
                    }
                }),
            Node::Not(x) => self.emit(x, kind, no, yes),
            Node::Cmp(c) => self.step(Test::Cmp(c.clone()), yes, no),
            // The event's kind is the program's: the test is settled here.
            Node::Kinds(bits) => {
                if bits & (1u128 << kind) != 0 {
                    yes
                } else {
                    no
                }
            }
            Node::Shared(slot, x) => {
                let slot = *slot;
                let held = self.step(Test::Remember { slot, value: true }, yes, yes);
                let failed = self.step(Test::Remember { slot, value: false }, no, no);
                let body = self.emit(x, kind, held, failed);
                self.step(Test::Memo { slot, body }, yes, no)
            }
        }
    }

    /// Whether the event in `c`, of the program's kind, satisfies the condition.
    #[inline]
    pub(crate) fn matches(&self, c: &Ctx<'_, '_>) -> bool {
        if let Some(slot) = self.guard
            && c.memo.get(slot) == Some(false)
        {
            return false;
        }
        self.run(c)
    }

    /// Whether no event can satisfy it.
    pub(crate) fn never(&self) -> bool {
        self.entry == FALSE
    }

    #[inline(never)]
    fn run(&self, c: &Ctx<'_, '_>) -> bool {
        let mut at = self.entry;
        while let Some(step) = self.steps.get(at as usize) {
            at = match &step.test {
                Test::Cmp(cmp) => {
                    if test(cmp, c) {
                        step.yes
                    } else {
                        step.no
                    }
                }
                Test::AnyOf(cmps) => {
                    let held = with_value(&cmps[0].lhs, c, |v| {
                        cmps.iter().any(|cmp| compare(cmp, v, c))
                    });
                    if held { step.yes } else { step.no }
                }
                Test::Memo { slot, body } => match c.memo.get(*slot) {
                    Some(true) => step.yes,
                    Some(false) => step.no,
                    None => *body,
                },
                Test::Remember { slot, value } => {
                    c.memo.set(*slot, *value);
                    step.yes
                }
            };
        }
        at == TRUE
    }
}

/// Whether `a` and `b` are comparisons of the same operand of the event
/// itself (not of every ancestor), which an `or` can test in one step.
fn same_operand(a: &Node, b: &Node) -> bool {
    match (a, b) {
        (Node::Cmp(a), Node::Cmp(b)) => {
            a.any_ancestor.is_none()
                && b.any_ancestor.is_none()
                && a.lhs.field == b.lhs.field
                && a.lhs.transforms == b.lhs.transforms
        }
        _ => false,
    }
}

/// One comparison for the event in `c`.
fn test(cmp: &Cmp, c: &Ctx<'_, '_>) -> bool {
    match cmp.any_ancestor {
        Some(f) => ancestors(c, f, |v| compare(cmp, Some(&v), c)),
        None => with_value(&cmp.lhs, c, |v| compare(cmp, v, c)),
    }
}

/// Calls `f` with the operand's value for the event in `c`, from the
/// event's value cache when the operand has a slot there.
fn with_value<'e, T>(o: &Operand2, c: &Ctx<'e, '_>, f: impl FnOnce(Option<&Val<'e>>) -> T) -> T {
    match o.slot {
        Some(slot) => f(c.values[usize::from(slot)]
            .get_or_init(|| value(o, c))
            .as_ref()),
        None => f(value(o, c).as_ref()),
    }
}

fn value<'e>(o: &Operand2, c: &Ctx<'e, '_>) -> Option<Val<'e>> {
    let mut v = extract(&o.field, c)?;
    for t in &o.transforms {
        v = transform(*t, v)?;
    }
    Some(v)
}

fn transform(t: Transformer, v: Val<'_>) -> Option<Val<'_>> {
    // String transformers leave other types as they are.
    let Val::Str(b) = v else { return Some(v) };
    Some(match t {
        Transformer::ToLower => Val::Str(Cow::Owned(b.to_ascii_lowercase())),
        Transformer::ToUpper => Val::Str(Cow::Owned(b.to_ascii_uppercase())),
        Transformer::Basename => match b.iter().rposition(|&x| x == b'/') {
            Some(i) => Val::Str(Cow::Owned(b[i + 1..].to_vec())),
            None => Val::Str(b),
        },
        Transformer::Len => Val::Num(b.len() as i128),
        Transformer::B64 => Val::Str(Cow::Owned(b64(&b)?)),
    })
}

fn b64(s: &[u8]) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s: Vec<u8> = s.iter().copied().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Some(out)
}

/// A text literal read as a number, for `evt.arg.*` whose type depends on the event.
fn lit_num(b: &[u8]) -> Option<i128> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

fn lit_eq(v: &Val<'_>, l: &Lit) -> bool {
    match (v, l) {
        (Val::Str(a), Lit::Str(b)) => bytes_eq(a, b),
        (Val::Num(a), Lit::Str(b)) => lit_num(b) == Some(*a),
        (Val::Num(a), Lit::Num(b)) => a == b,
        (Val::Bool(a), Lit::Bool(b)) => a == b,
        (Val::Ip(a), Lit::Ip(b)) => a == b,
        (Val::Ip(a), Lit::Net(net, bits)) => in_net(a, net, *bits),
        _ => false,
    }
}

fn in_net(a: &IpAddr, net: &IpAddr, bits: u8) -> bool {
    match (a, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let m = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(bits.min(32)))
            };
            u32::from(*a) & m == u32::from(*n) & m
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let m = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(bits.min(128)))
            };
            u128::from(*a) & m == u128::from(*n) & m
        }
        _ => false,
    }
}

fn compare(cmp: &Cmp, v: Option<&Val<'_>>, c: &Ctx<'_, '_>) -> bool {
    // A missing value makes every comparison false, `!=` and `exists` included.
    let Some(v) = v else { return false };
    let rhs_field;
    let one = match &cmp.rhs {
        R::None => return cmp.op == Op::Exists,
        R::One(l) => Some(l),
        R::Field(o) => {
            let Some(r) = value(o, c) else { return false };
            rhs_field = r;
            return compare_vals(cmp.op, v, &rhs_field);
        }
        R::Regex(re) => return matches!(v, Val::Str(b) if re.is_match(b)),
        R::Contains(finder) => {
            return matches!(v, Val::Str(b) if finder.find(b).is_some());
        }
        R::Glob(g) => return matches!(v, Val::Str(b) if g.matches(b)),
        R::PMatch(paths) => {
            let Val::Str(b) = v else { return false };
            // A byte loop: paths are short, and memmem's set-up costs more than the search.
            let plain =
                b.first() == Some(&b'/') && !b.windows(2).any(|w| w == b"//") && !b.ends_with(b"/");
            return paths.iter().any(|p| p.matches(b, plain));
        }
        R::List(items) => return items.iter().any(|l| lit_eq(v, l)),
        R::StrSet(set, items) => {
            return match v {
                Val::Str(b) => set.contains(b.as_ref()),
                _ => items.iter().any(|l| lit_eq(v, l)),
            };
        }
    };
    let l = one.expect("single literal");
    match (cmp.op, v, l) {
        (Op::Eq, _, _) => lit_eq(v, l),
        (Op::Ne, _, _) => !lit_eq(v, l),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Num(a), Lit::Num(b)) => ord(cmp.op, a.cmp(b)),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Num(a), Lit::Str(b)) => {
            lit_num(b).is_some_and(|b| ord(cmp.op, a.cmp(&b)))
        }
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Str(a), Lit::Str(b)) => {
            ord(cmp.op, a.as_ref().cmp(b.as_slice()))
        }
        (Op::IContains, Val::Str(a), Lit::Str(b)) => {
            memmem(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
        }
        (Op::StartsWith | Op::BStartsWith, Val::Str(a), Lit::Str(b)) => starts_with(a, b),
        (Op::EndsWith, Val::Str(a), Lit::Str(b)) => ends_with(a, b),
        (Op::IGlob, Val::Str(a), Lit::Str(b)) => {
            glob(&b.to_ascii_lowercase(), &a.to_ascii_lowercase())
        }
        _ => false,
    }
}

fn compare_vals(op: Op, a: &Val<'_>, b: &Val<'_>) -> bool {
    match (op, a, b) {
        (Op::Eq | Op::In | Op::Intersects, _, _) => a == b,
        (Op::Ne, _, _) => a != b,
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Num(x), Val::Num(y)) => ord(op, x.cmp(y)),
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Val::Str(x), Val::Str(y)) => ord(op, x.cmp(y)),
        (Op::Contains, Val::Str(x), Val::Str(y)) => memmem(x, y),
        (Op::StartsWith, Val::Str(x), Val::Str(y)) => x.starts_with(y),
        (Op::EndsWith, Val::Str(x), Val::Str(y)) => x.ends_with(y),
        _ => false,
    }
}

fn ord(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        _ => o != Less,
    }
}

/// Byte-string equality for the short strings rules compare (paths, names):
/// a word at a time, inline, where `==` calls the C library's memcmp, whose
/// call costs more than comparing a few words.
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8 bytes"));
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4 bytes"));
    if n >= 8 {
        // Whole words, then one more ending at the last byte (it may overlap).
        (0..n / 8).all(|i| word(a, 8 * i) == word(b, 8 * i)) && word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

#[inline]
fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && bytes_eq(&s[..prefix.len()], prefix)
}

#[inline]
fn ends_with(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && bytes_eq(&s[s.len() - suffix.len()..], suffix)
}

fn memmem(h: &[u8], n: &[u8]) -> bool {
    memchr::memmem::find(h, n).is_some()
}

fn component_match(want: &[u8], got: &[u8]) -> bool {
    if want.iter().any(|c| matches!(c, b'*' | b'?' | b'[')) {
        glob(want, got)
    } else {
        want == got
    }
}

/// fnmatch(3) without flags: `*` and `?` also match `/`; `[...]` classes; `\\` escapes.
pub fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if p.get(pi) == Some(&b'*') {
            star = Some((pi, si));
            pi += 1;
            continue;
        }
        // How far the pattern advances if it matches s[si] here.
        let step = match p.get(pi) {
            None => None,
            Some(b'?') => Some(1),
            Some(b'[') => match class(&p[pi..], s[si]) {
                Some((ok, n)) => ok.then_some(n),
                None => (s[si] == b'[').then_some(1), // an unterminated `[` is literal
            },
            Some(b'\\') if pi + 1 < p.len() => (p[pi + 1] == s[si]).then_some(2),
            Some(&c) => (c == s[si]).then_some(1),
        };
        if let Some(n) = step {
            pi += n;
            si += 1;
            continue;
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Matches one character against a `[...]` class at the start of `p`; returns (matched, class length).
fn class(p: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() && (p[i] != b']' || first) {
        first = false;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            matched |= (p[i]..=p[i + 2]).contains(&c);
            i += 3;
        } else {
            matched |= p[i] == c;
            i += 1;
        }
    }
    (i < p.len()).then_some((matched != negate, i + 1))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn a_glob_checks_its_literal_runs_as_the_glob_would() {
        let cases: [(&[u8], &[u8]); 12] = [
            (b"/home/*/.ssh/id_*", b"/home/al/.ssh/id_rsa"),
            (b"/home/*/.ssh/id_*", b"/home/al/.ssh/known_hosts"),
            (b"/home/*/.aws/credentials", b"/home/x/y/.aws/credentials"),
            (b"/home/*/.aws/credentials", b"/home/x/.aws/credentials.bak"),
            (b"*.sh", b"/x/y.sh"),
            (b"*.sh", b"/x/y.shx"),
            (b"a?c*d", b"abcxd"),
            (b"a?c*d", b"abd"),
            (b"/[a-c]x*", b"/bxyz"),
            (b"x\\*y", b"x*y"),
            (b"*", b""),
            (b"ab*", b"a"),
        ];
        for (p, s) in cases {
            assert_eq!(
                super::GlobPattern::new(p).matches(s),
                glob(p, s),
                "{} on {}",
                String::from_utf8_lossy(p),
                String::from_utf8_lossy(s)
            );
        }
    }

    #[test]
    fn short_byte_comparisons_agree_with_the_standard_ones() {
        let text = b"/usr/lib/x86_64-linux-gnu/libc.so.6 and more";
        for a in 0..text.len() {
            for b in a..text.len().min(a + 40) {
                let s = &text[a..b];
                for t in [&text[..b - a], s, &text[text.len() - (b - a)..]] {
                    assert_eq!(super::bytes_eq(s, t), s == t);
                    assert_eq!(super::starts_with(text, s), text.starts_with(s));
                    assert_eq!(super::ends_with(text, s), text.ends_with(s));
                }
            }
        }
        let mut x = *b"abcdefghijklmnop";
        for i in 0..x.len() {
            x[i] ^= 1;
            assert!(!super::bytes_eq(&x, b"abcdefghijklmnop"), "differs at {i}");
            x[i] ^= 1;
        }
    }

    #[test]
    fn glob_is_fnmatch_without_flags() {
        assert!(glob(b"/tmp/*", b"/tmp/a/b"));
        assert!(glob(b"*.sh", b"/x/y.sh"));
        assert!(glob(b"/dev/sh?", b"/dev/shm"));
        assert!(glob(b"/[a-c]x", b"/bx"));
        assert!(!glob(b"/[!a-c]x", b"/bx"));
        assert!(glob(b"a\\*b", b"a*b"));
        assert!(!glob(b"a\\*b", b"axb"));
        assert!(
            !glob(b"a\\*b", b"a\\xb"),
            "an escaped star is literal even after a backslash"
        );
        assert!(glob(b"a[b", b"a[b"), "an unterminated class is literal");
        assert!(!glob(b"/tmp/*", b"/var/tmp/x"));
        assert!(glob(b"*", b""));
    }
}
