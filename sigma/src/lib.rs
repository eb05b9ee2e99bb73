//! Sigma rules, unchanged, as shrike rules: each Sigma rule of a log source
//! shrike records becomes a rule whose condition is written in the Falco
//! dialect over shrike's fields, so one engine runs both kinds.
//!
//! Sigma's meanings are kept: strings compare without regard to ASCII case
//! unless `cased` says otherwise, `*` and `?` are wildcards, `re` searches
//! (it is not anchored), a field the event lacks matches nothing. A rule that
//! needs what shrike does not record (a field, a log source, a modifier) is
//! not run, and the reason is given; never is a part of it run.
//! `docs/sigma.md` maps the fields.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use rsigma_parser::{
    ConditionExpr, Detection, DetectionItem, Level, Modifier, Quantifier, SelectorPattern,
    SigmaRule, SigmaValue, SpecialChar, StringPart,
};
use shrike_rule_lang::ast::{Check, Expr, Op, Operand, Rhs, Transformer};
use shrike_rule_lang::{LoadError, Priority, Rule};

/// Whether `text` is a Sigma rule file (its documents have a `detection`
/// and a `logsource`), not a Falco rule file (a list of items).
pub fn is_sigma(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    top("detection:") && top("logsource:")
}

/// Largest Sigma file read (SigmaHQ's largest Linux rule is under 8 KiB).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The rules of one Sigma file, and the rules that cannot run with why.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Rules ready for the engine.
    pub rules: Vec<Rule>,
    /// Rules not run, each with its reason.
    pub skipped: Vec<LoadError>,
}

/// Reads the Sigma rules in `text` (file `name`). A file that is not valid
/// Sigma is an error; a valid rule shrike cannot run is skipped.
pub fn load(name: &str, text: &str) -> Result<Loaded, Vec<LoadError>> {
    let err = |line: usize, message: String| LoadError {
        file: name.to_string(),
        line,
        col: 1,
        message,
    };
    // A rule is a few KiB; a crafted file is not handed whole to the YAML parser.
    if text.len() > MAX_FILE_BYTES {
        return Err(vec![err(
            1,
            format!(
                "{} bytes: larger than a Sigma rule file may be ({MAX_FILE_BYTES})",
                text.len()
            ),
        )]);
    }
    let collection = rsigma_parser::parse_sigma_yaml(text)
        .map_err(|e| vec![err(1, format!("not a valid Sigma rule file: {e}"))])?;
    if !collection.errors.is_empty() {
        return Err(collection
            .errors
            .iter()
            .map(|e| err(1, format!("not a valid Sigma rule: {e}")))
            .collect());
    }
    let line = text
        .lines()
        .position(|l| l.starts_with("title:"))
        .map_or(1, |i| i + 1);
    let mut out = Loaded::default();
    for rule in &collection.rules {
        match convert(rule) {
            Ok(condition) => out.rules.push(Rule {
                name: rule.title.clone(),
                desc: rule.description.clone().unwrap_or_default(),
                condition,
                output: output(rule),
                priority: priority(rule.level),
                tags: tags(rule),
                enabled: true,
                source: "syscall".to_string(),
                origin: (name.to_string(), line),
            }),
            Err(why) => out
                .skipped
                .push(err(line, format!("Sigma rule {}: {why}", rule.title))),
        }
    }
    if !collection.correlations.is_empty() || !collection.filters.is_empty() {
        out.skipped.push(err(
            line,
            "Sigma correlation and filter rules are not run by shrike".to_string(),
        ));
    }
    Ok(out)
}

/// Adds what [`load`] read to a rule set: its rules, and its skipped
/// rules among the set's skipped ones.
pub fn add(set: &mut shrike_rule_lang::RuleSet, loaded: Loaded) {
    set.rules.extend(loaded.rules);
    set.skipped.extend(loaded.skipped);
}

/// Sigma's levels on Falco's priorities.
fn priority(level: Option<Level>) -> Priority {
    match level {
        Some(Level::Critical) => Priority::Critical,
        Some(Level::High) => Priority::Error,
        Some(Level::Medium) | None => Priority::Warning,
        Some(Level::Low) => Priority::Notice,
        Some(Level::Informational) => Priority::Informational,
    }
}

fn tags(rule: &SigmaRule) -> Vec<String> {
    let mut t = vec!["sigma".to_string()];
    if let Some(id) = &rule.id {
        t.push(format!("sigma.id.{id}"));
    }
    t.extend(rule.tags.iter().cloned());
    t
}

/// What an alert says: the rule's title and what shrike knows of the event.
fn output(rule: &SigmaRule) -> String {
    let what = match category(rule) {
        Some(Category::File) => " file=%fd.name",
        Some(Category::Network) => " connection=%fd.name",
        _ => "",
    };
    format!(
        "{} |{what} process=%proc.name exe=%proc.exepath command=%proc.exeline \
         parent=%proc.pname parent_command=%shrike.parent.exeline user=%user.name",
        rule.title.replace('%', "%%")
    )
}

/// The Sigma log sources shrike records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Category {
    Process,
    File,
    Network,
    /// auditd's EXECVE records: a program's arguments `a0`, `a1`, ...
    AuditExec,
}

fn category(rule: &SigmaRule) -> Option<Category> {
    let l = &rule.logsource;
    if l.product.as_deref() != Some("linux") {
        return None;
    }
    if let Some(service) = l.service.as_deref() {
        // An exec is what an auditd EXECVE record reports; other records are not recorded.
        let execve_only = |d: &Detection| detection_types(d).iter().all(|t| t == "EXECVE");
        let types: Vec<String> = rule
            .detection
            .named
            .values()
            .flat_map(detection_types)
            .collect();
        return (service == "auditd"
            && l.category.is_none()
            && !types.is_empty()
            && rule.detection.named.values().all(execve_only))
        .then_some(Category::AuditExec);
    }
    match l.category.as_deref()? {
        "process_creation" => Some(Category::Process),
        "file_event" => Some(Category::File),
        "network_connection" => Some(Category::Network),
        _ => None,
    }
}

/// The auditd record types (`type:`) a detection names.
fn detection_types(d: &Detection) -> Vec<String> {
    match d {
        Detection::AllOf(items) => items
            .iter()
            .filter(|i| i.field.name.as_deref() == Some("type"))
            .flat_map(|i| i.values.iter())
            .map(|v| match v {
                SigmaValue::String(s) => s.original.clone(),
                other => format!("{other:?}"),
            })
            .collect(),
        Detection::AnyOf(ds) => ds.iter().flat_map(detection_types).collect(),
        _ => Vec::new(),
    }
}

/// The Sigma rule as a condition over shrike's events.
fn convert(rule: &SigmaRule) -> Result<Expr, String> {
    let Some(cat) = category(rule) else {
        let l = &rule.logsource;
        return Err(format!(
            "log source {}{}{} is not recorded by shrike (it records process_creation, \
             file_event and network_connection on linux, and auditd's EXECVE records)",
            l.product.as_deref().unwrap_or("?"),
            l.category
                .as_deref()
                .map(|c| format!("/{c}"))
                .unwrap_or_default(),
            l.service
                .as_deref()
                .map(|s| format!(" service {s}"))
                .unwrap_or_default(),
        ));
    };
    if rule.detection.timeframe.is_some() {
        return Err("a timeframe (aggregation) is not supported".into());
    }
    let mut named = HashMap::new();
    for (name, d) in &rule.detection.named {
        named.insert(name.as_str(), detection(cat, d)?);
    }
    let conditions = rule
        .detection
        .conditions
        .iter()
        .map(|c| condition(c, &named))
        .collect::<Result<Vec<_>, _>>()?;
    let body = match conditions.len() {
        0 => return Err("no condition".into()),
        1 => conditions.into_iter().next().expect("one"),
        _ => Expr::Or(conditions),
    };
    Ok(Expr::And(vec![events_of(cat), body]))
}

/// The events a log source's records are.
fn events_of(cat: Category) -> Expr {
    match cat {
        // A process started: a successful exec (what auditd's EXECVE reports).
        Category::Process | Category::AuditExec => Expr::And(vec![
            list("evt.type", Op::In, &["execve", "execveat"]),
            check(field("evt.rawres"), Op::Eq, "0"),
        ]),
        // A file created (the kernel's word, not O_CREAT's).
        Category::File => Expr::And(vec![
            list("evt.type", Op::In, &["open", "openat", "openat2", "creat"]),
            check(field("evt.is_open_create"), Op::Eq, "true"),
        ]),
        // A connection made or taken (a non-blocking connect goes on after EINPROGRESS).
        Category::Network => Expr::And(vec![
            list("evt.type", Op::In, &["connect", "accept", "accept4"]),
            Expr::Or(vec![
                check(field("evt.rawres"), Op::Ge, "0"),
                check(field("evt.rawres"), Op::Eq, "-115"),
            ]),
        ]),
    }
}

fn condition(c: &ConditionExpr, named: &HashMap<&str, Expr>) -> Result<Expr, String> {
    Ok(match c {
        ConditionExpr::And(v) => Expr::And(
            v.iter()
                .map(|c| condition(c, named))
                .collect::<Result<_, _>>()?,
        ),
        ConditionExpr::Or(v) => Expr::Or(
            v.iter()
                .map(|c| condition(c, named))
                .collect::<Result<_, _>>()?,
        ),
        ConditionExpr::Not(c) => Expr::Not(Box::new(condition(c, named)?)),
        ConditionExpr::Identifier(id) => named
            .get(id.as_str())
            .cloned()
            .ok_or_else(|| format!("the condition names `{id}`, which is not a detection"))?,
        ConditionExpr::Selector {
            quantifier,
            pattern,
        } => {
            let mut names: Vec<&&str> = named
                .keys()
                .filter(|n| match pattern {
                    SelectorPattern::Them => !n.starts_with('_'),
                    SelectorPattern::Pattern(p) => name_matches(p, n),
                })
                .collect();
            names.sort();
            if names.is_empty() {
                return Err(format!("`{pattern}` names no detection"));
            }
            let parts: Vec<Expr> = names.iter().map(|n| named[**n].clone()).collect();
            match quantifier {
                Quantifier::Any => Expr::Or(parts),
                Quantifier::All => Expr::And(parts),
                Quantifier::Count(1) => Expr::Or(parts),
                Quantifier::Count(n) => {
                    return Err(format!("`{n} of` (a count above one) is not supported"));
                }
            }
        }
    })
}

/// A selector's name pattern: `*` matches any run of characters.
fn name_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || !name[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn detection(cat: Category, d: &Detection) -> Result<Expr, String> {
    Ok(match d {
        Detection::AllOf(items) => Expr::And(
            items
                .iter()
                .map(|i| item(cat, i))
                .collect::<Result<_, _>>()?,
        ),
        Detection::AnyOf(ds) => Expr::Or(
            ds.iter()
                .map(|d| detection(cat, d))
                .collect::<Result<_, _>>()?,
        ),
        // Keywords search a record's text; an exec's text is its command line
        // (for auditd's EXECVE records, the arguments they list).
        Detection::Keywords(values) => item(
            cat,
            &DetectionItem {
                field: rsigma_parser::FieldSpec::new(None, Vec::new()),
                values: values.clone(),
            },
        )?,
        _ => return Err("array-member detections are not supported".into()),
    })
}

/// How a Sigma field reads on shrike's events.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Address,
    /// `Initiated`: which side of the connection.
    Initiated,
    /// auditd's record `type`: EXECVE, which the log source already means.
    RecordType,
}

/// What a keyword (a value without a field) searches: an exec's command line.
const KEYWORD_FIELD: &str = "\u{0}keyword";

/// auditd's `a0` ... `a31`: the arguments shrike maps.
const AUDIT_ARGS: usize = 32;

/// Sigma's field names (Sysmon for Linux's, which SigmaHQ's Linux rules use)
/// as shrike's fields. `docs/sigma.md` is the table.
fn field_for(cat: Category, name: &str) -> Option<(Cow<'static, str>, Kind)> {
    let (f, kind) = match (cat, name) {
        (_, "Image") => ("proc.exepath", Kind::Text),
        (_, "User") => ("user.name", Kind::Text),
        (_, "ProcessId") => ("proc.pid", Kind::Number),
        (Category::Process, "CommandLine") => ("proc.exeline", Kind::Text),
        (Category::Process, "ParentImage") => ("proc.pexepath", Kind::Text),
        (Category::Process, "ParentCommandLine") => ("shrike.parent.exeline", Kind::Text),
        (Category::Process, "ParentProcessId") => ("proc.ppid", Kind::Number),
        (Category::Process, "CurrentDirectory") => ("shrike.cwd", Kind::Text),
        (Category::Process, "Hashes") => ("shrike.exe.hashes", Kind::Text),
        (Category::Process, "LogonId") => ("user.loginuid", Kind::Number),
        (Category::File, "TargetFilename") => ("fd.name", Kind::Text),
        (Category::Network, "DestinationIp") => ("fd.rip", Kind::Address),
        (Category::Network, "DestinationPort") => ("fd.rport", Kind::Number),
        (Category::Network, "DestinationHostname") => ("fd.sip.name", Kind::Text),
        (Category::Network, "SourceIp") => ("fd.lip", Kind::Address),
        (Category::Network, "SourcePort") => ("fd.lport", Kind::Number),
        (Category::Network, "Initiated") => ("evt.type", Kind::Initiated),
        (Category::AuditExec, "type") => ("evt.type", Kind::RecordType),
        (_, KEYWORD_FIELD) => ("proc.exeline", Kind::Text),
        (Category::AuditExec, a) => {
            // aN: argv[N]; a0 is argv[0] (Falco's proc.exe), the rest proc.args[N-1].
            let n: usize = a.strip_prefix('a')?.parse().ok()?;
            if n >= AUDIT_ARGS {
                return None;
            }
            let f = match n {
                0 => "proc.exe".to_string(),
                _ => format!("proc.args[{}]", n - 1),
            };
            return Some((Cow::Owned(f), Kind::Text));
        }
        _ => return None,
    };
    Some((Cow::Borrowed(f), kind))
}

/// A field operand; `name[arg]` carries its argument.
fn field(name: &str) -> Operand {
    match name.split_once('[') {
        Some((n, arg)) => Operand::Field {
            name: n.to_string(),
            arg: Some(arg.trim_end_matches(']').to_string()),
        },
        None => Operand::Field {
            name: name.to_string(),
            arg: None,
        },
    }
}

fn check(lhs: Operand, op: Op, v: &str) -> Expr {
    Expr::Check(Check {
        lhs,
        op,
        rhs: Rhs::Value(v.to_string()),
    })
}

fn list(name: &str, op: Op, items: &[&str]) -> Expr {
    Expr::Check(Check {
        lhs: field(name),
        op,
        rhs: Rhs::List(items.iter().map(|s| s.to_string()).collect()),
    })
}

/// How a value is matched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Match {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
}

fn item(cat: Category, i: &DetectionItem) -> Result<Expr, String> {
    let Some(name) = i.field.name.as_deref() else {
        // Keywords with modifiers (`'|all': [...]`): a search of the command line, as above.
        let mut m = i.field.modifiers.clone();
        if !m
            .iter()
            .any(|x| matches!(x, Modifier::StartsWith | Modifier::EndsWith | Modifier::Re))
        {
            m.push(Modifier::Contains);
        }
        let keyword = DetectionItem {
            field: rsigma_parser::FieldSpec::new(Some(KEYWORD_FIELD.to_string()), m),
            values: i.values.clone(),
        };
        return item(cat, &keyword);
    };
    let Some((f, kind)) = field_for(cat, name) else {
        return Err(format!(
            "field {name} is not recorded by shrike for this log source"
        ));
    };
    let f = &*f;
    let m = &i.field.modifiers;
    let has = |x: Modifier| m.contains(&x);
    for x in m {
        if matches!(
            x,
            Modifier::Wide
                | Modifier::Utf16be
                | Modifier::Utf16
                | Modifier::Expand
                | Modifier::Minute
                | Modifier::Hour
                | Modifier::Day
                | Modifier::Week
                | Modifier::Month
                | Modifier::Year
        ) {
            return Err(format!("modifier {x:?} is not supported"));
        }
    }
    let each: Vec<Expr> = if has(Modifier::Exists) {
        let want = matches!(i.values.first(), Some(SigmaValue::Bool(true)))
            || matches!(i.values.first(), Some(SigmaValue::String(s)) if s.original == "true");
        let e = Expr::Check(Check {
            lhs: field(f),
            op: Op::Exists,
            rhs: Rhs::None,
        });
        vec![if want { e } else { Expr::Not(Box::new(e)) }]
    } else {
        i.values
            .iter()
            .map(|v| value(cat, f, kind, m, v))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect()
    };
    if each.is_empty() {
        return Err(format!("field {name} has no value to match"));
    }
    Ok(if has(Modifier::All) {
        Expr::And(each)
    } else if each.len() == 1 {
        each.into_iter().next().expect("one")
    } else {
        Expr::Or(each)
    })
}

/// One value's tests (several where an encoding modifier makes variants).
fn value(
    cat: Category,
    f: &str,
    kind: Kind,
    m: &[Modifier],
    v: &SigmaValue,
) -> Result<Vec<Expr>, String> {
    let has = |x: Modifier| m.contains(&x);
    if has(Modifier::FieldRef) {
        // The value names another field of the same event: compared as Falco's val().
        let SigmaValue::String(s) = v else {
            return Err("fieldref takes a field name".into());
        };
        let Some((g, gkind)) = field_for(cat, &s.original) else {
            return Err(format!("fieldref to {}, a field not recorded", s.original));
        };
        let g = &*g;
        if gkind != kind || !matches!(kind, Kind::Text | Kind::Number) {
            return Err(format!(
                "fieldref between {f} and {g}, which differ in kind"
            ));
        }
        let op = if has(Modifier::Contains) {
            Op::Contains
        } else if has(Modifier::StartsWith) {
            Op::StartsWith
        } else if has(Modifier::EndsWith) {
            Op::EndsWith
        } else {
            Op::Eq
        };
        let side = |name: &str| {
            if kind == Kind::Text && !has(Modifier::Cased) {
                Operand::Transform(Transformer::ToLower, Box::new(field(name)))
            } else {
                field(name)
            }
        };
        return Ok(vec![Expr::Check(Check {
            lhs: side(f),
            op,
            rhs: Rhs::Field(side(g)),
        })]);
    }
    if matches!(v, SigmaValue::Null) {
        // null: the field is empty or absent.
        let absent = Expr::Not(Box::new(Expr::Check(Check {
            lhs: field(f),
            op: Op::Exists,
            rhs: Rhs::None,
        })));
        return Ok(vec![match kind {
            Kind::Text => Expr::Or(vec![absent, check(field(f), Op::Eq, "")]),
            _ => absent,
        }]);
    }
    let text = match v {
        SigmaValue::String(s) => s.original.clone(),
        SigmaValue::Integer(n) => n.to_string(),
        SigmaValue::Float(x) => x.to_string(),
        SigmaValue::Bool(b) => b.to_string(),
        SigmaValue::Null => unreachable!("handled above"),
    };
    let cmp = [
        (Modifier::Gt, Op::Gt),
        (Modifier::Gte, Op::Ge),
        (Modifier::Lt, Op::Lt),
        (Modifier::Lte, Op::Le),
    ]
    .into_iter()
    .find(|(x, _)| has(*x))
    .map(|(_, op)| op);
    match kind {
        // Only EXECVE rules are converted (`category`): the test is the log source's.
        Kind::RecordType => {
            return Ok(vec![list("evt.type", Op::In, &["execve", "execveat"])]);
        }
        Kind::Initiated => {
            return Ok(vec![match text.as_str() {
                "true" => check(field("evt.type"), Op::Eq, "connect"),
                "false" => list("evt.type", Op::In, &["accept", "accept4"]),
                _ => return Err(format!("Initiated is true or false, not {text}")),
            }]);
        }
        Kind::Number => {
            if text.parse::<i64>().is_err() {
                return Err(format!("{f} is a number, not `{text}`"));
            }
            let op = match (cmp, has(Modifier::Neq)) {
                (Some(op), _) => op,
                (None, true) => Op::Ne,
                (None, false) => Op::Eq,
            };
            return Ok(vec![check(field(f), op, &text)]);
        }
        Kind::Address => {
            if has(Modifier::Cidr) {
                let net = f.replace("ip", "net");
                return Ok(vec![Expr::Check(Check {
                    lhs: field(&net),
                    op: Op::In,
                    rhs: Rhs::List(vec![text]),
                })]);
            }
            if text.contains('*') {
                return Err(format!(
                    "{f} is an address: a wildcard needs the cidr modifier"
                ));
            }
            return Ok(vec![check(field(f), Op::Eq, &text)]);
        }
        Kind::Text => {}
    }
    if cmp.is_some() {
        return Err("lt/gt compare numbers, and this field is text".into());
    }
    if has(Modifier::Re) {
        // Sigma's re searches; Falco's regex matches the whole value.
        let flags: String = [
            (Modifier::IgnoreCase, 'i'),
            (Modifier::Multiline, 'm'),
            (Modifier::DotAll, 's'),
        ]
        .into_iter()
        .filter(|(x, _)| has(*x))
        .map(|(_, c)| c)
        .collect();
        let inner = if flags.is_empty() {
            format!("(?:{text})")
        } else {
            format!("(?{flags}:{text})")
        };
        return Ok(vec![check(
            field(f),
            Op::Regex,
            &format!("(?s:.*){inner}(?s:.*)"),
        )]);
    }
    if has(Modifier::Cidr) {
        return Err(format!("cidr needs an address field, and {f} is text"));
    }
    let how = if has(Modifier::Contains) {
        Match::Contains
    } else if has(Modifier::StartsWith) {
        Match::StartsWith
    } else if has(Modifier::EndsWith) {
        Match::EndsWith
    } else {
        Match::Exact
    };
    let SigmaValue::String(s) = v else {
        return Ok(vec![text_test(
            f,
            how,
            &[StringPart::Plain(text)],
            has(Modifier::Cased),
        )]);
    };
    // The variants an encoding modifier asks for, each matched the same way.
    let mut variants: Vec<Vec<StringPart>> = vec![s.parts.clone()];
    if has(Modifier::WindAsh) {
        variants = variants.iter().flat_map(|p| windash(p)).collect();
    }
    if has(Modifier::Base64) || has(Modifier::Base64Offset) {
        let plain = plain_text(s).ok_or("base64 of a value with wildcards is undefined")?;
        let encoded = if has(Modifier::Base64Offset) {
            base64_offsets(plain.as_bytes())
        } else {
            vec![base64::engine::general_purpose::STANDARD.encode(plain.as_bytes())]
        };
        variants = encoded
            .into_iter()
            .map(|e| vec![StringPart::Plain(e)])
            .collect();
    }
    // An encoded value is case-sensitive: its letters are the encoding.
    let cased = has(Modifier::Cased) || has(Modifier::Base64) || has(Modifier::Base64Offset);
    Ok(variants
        .iter()
        .map(|p| text_test(f, how, p, cased))
        .collect())
}

fn plain_text(s: &rsigma_parser::SigmaString) -> Option<String> {
    s.parts
        .iter()
        .map(|p| match p {
            StringPart::Plain(t) => Some(t.as_str()),
            StringPart::Special(_) => None,
        })
        .collect()
}

/// One string test: `parts` (text and wildcards) matched `how`, with or without ASCII case.
fn text_test(f: &str, how: Match, parts: &[StringPart], cased: bool) -> Expr {
    let wild = parts.iter().any(|p| matches!(p, StringPart::Special(_)));
    if wild {
        let mut pat = String::new();
        if matches!(how, Match::Contains | Match::EndsWith) {
            pat.push('*');
        }
        for p in parts {
            match p {
                StringPart::Plain(t) => {
                    for c in t.chars() {
                        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                            pat.push('\\');
                        }
                        pat.push(c);
                    }
                }
                StringPart::Special(SpecialChar::WildcardMulti) => pat.push('*'),
                StringPart::Special(SpecialChar::WildcardSingle) => pat.push('?'),
            }
        }
        if matches!(how, Match::Contains | Match::StartsWith) {
            pat.push('*');
        }
        let op = if cased { Op::Glob } else { Op::IGlob };
        return check(field(f), op, &pat);
    }
    let text: String = parts
        .iter()
        .map(|p| match p {
            StringPart::Plain(t) => t.as_str(),
            StringPart::Special(_) => "",
        })
        .collect();
    let op = match how {
        Match::Exact => Op::Eq,
        Match::Contains => Op::Contains,
        Match::StartsWith => Op::StartsWith,
        Match::EndsWith => Op::EndsWith,
    };
    if cased {
        return check(field(f), op, &text);
    }
    if how == Match::Contains {
        return check(field(f), Op::IContains, &text);
    }
    // Both sides in lower case: Sigma ignores ASCII case.
    check(
        Operand::Transform(Transformer::ToLower, Box::new(field(f))),
        op,
        &text.to_ascii_lowercase(),
    )
}

/// `windash`: each `-` that starts a word also as `/`, en dash, em dash and
/// horizontal bar, the ways Windows tools take options (and copied
/// commands carry them).
fn windash(parts: &[StringPart]) -> Vec<Vec<StringPart>> {
    const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];
    let mut out = vec![Vec::new()];
    for p in parts {
        let StringPart::Plain(t) = p else {
            out.iter_mut().for_each(|o| o.push(p.clone()));
            continue;
        };
        let mut texts = vec![String::new()];
        let mut prev = ' ';
        for c in t.chars() {
            if c == '-' && prev.is_whitespace() {
                texts = texts
                    .iter()
                    .flat_map(|s| DASHES.iter().map(move |d| format!("{s}{d}")))
                    .collect();
            } else {
                texts.iter_mut().for_each(|s| s.push(c));
            }
            prev = c;
        }
        out = out
            .iter()
            .flat_map(|o| {
                texts.iter().map(move |t| {
                    let mut o = o.clone();
                    o.push(StringPart::Plain(t.clone()));
                    o
                })
            })
            .collect();
    }
    out
}

/// `base64offset`: the value's base64 as it reads at each of the three
/// offsets it can start at inside a longer encoded text, without the
/// characters its neighbours change.
fn base64_offsets(v: &[u8]) -> Vec<String> {
    let e = base64::engine::general_purpose::STANDARD;
    (0..3)
        .map(|i| {
            let mut b = vec![b' '; i];
            b.extend_from_slice(v);
            let s = e.encode(&b);
            let start = [0, 2, 3][i];
            let end = s.len() - [0, 3, 2][(v.len() + i) % 3];
            s[start..end].to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_offsets_are_sigmas() {
        // The three forms pySigma gives for "/bin/bash".
        assert_eq!(
            base64_offsets(b"/bin/bash"),
            ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]
        );
    }

    #[test]
    fn selector_patterns_match_detection_names() {
        assert!(name_matches("selection_*", "selection_x"));
        assert!(name_matches("*_main", "filter_main"));
        assert!(!name_matches("filter_*", "selection"));
        assert!(name_matches("a*b*c", "aXbYc"));
    }
}
