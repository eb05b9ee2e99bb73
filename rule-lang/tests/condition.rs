//! The condition language: operators, precedence, nesting, values, errors.

use shrike_rule_lang::ast::{Check, Expr, Op, Operand, Rhs, Transformer};
use shrike_rule_lang::condition::parse;

fn p(s: &str) -> Expr {
    let lists = |n: &str| match n {
        "shells" => Some(vec!["bash".to_string(), "sh".to_string()]),
        "empty" => Some(Vec::new()),
        _ => None,
    };
    parse(s, &lists).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
}

fn f(name: &str) -> Operand {
    Operand::Field {
        name: name.into(),
        arg: None,
    }
}

fn check(field: &str, op: Op, v: &str) -> Expr {
    Expr::Check(Check {
        lhs: f(field),
        op,
        rhs: Rhs::Value(v.into()),
    })
}

#[test]
fn every_binary_operator() {
    for (word, op) in [
        ("=", Op::Eq),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        ("<=", Op::Le),
        (">", Op::Gt),
        (">=", Op::Ge),
        ("contains", Op::Contains),
        ("icontains", Op::IContains),
        ("bcontains", Op::BContains),
        ("startswith", Op::StartsWith),
        ("bstartswith", Op::BStartsWith),
        ("endswith", Op::EndsWith),
        ("glob", Op::Glob),
        ("iglob", Op::IGlob),
        ("regex", Op::Regex),
    ] {
        assert_eq!(
            p(&format!("fd.name {word} /etc/x")),
            check("fd.name", op, "/etc/x"),
            "{word}"
        );
    }
    // Symbolic operators need no blanks.
    assert_eq!(p("evt.type=open"), check("evt.type", Op::Eq, "open"));
    assert_eq!(p("proc.pid>=100"), check("proc.pid", Op::Ge, "100"));
}

#[test]
fn list_operators_exists_and_list_names() {
    let l = |op| {
        Expr::Check(Check {
            lhs: f("proc.name"),
            op,
            rhs: Rhs::List(vec!["bash".into(), "sh".into(), "zsh".into()]),
        })
    };
    assert_eq!(p("proc.name in (shells, zsh)"), l(Op::In));
    assert_eq!(
        p("proc.name intersects (bash, 'sh', \"zsh\")"),
        l(Op::Intersects)
    );
    assert_eq!(p("proc.name pmatch(bash,sh,zsh)"), l(Op::PMatch));
    // A quoted list name is a value, and an empty list leaves nothing behind.
    assert_eq!(
        p("proc.name in ('shells', empty, x)"),
        Expr::Check(Check {
            lhs: f("proc.name"),
            op: Op::In,
            rhs: Rhs::List(vec!["shells".into(), "x".into()])
        })
    );
    assert_eq!(
        p("proc.name in ()"),
        Expr::Check(Check {
            lhs: f("proc.name"),
            op: Op::In,
            rhs: Rhs::List(vec![])
        })
    );
    assert_eq!(
        p("proc.pname exists"),
        Expr::Check(Check {
            lhs: f("proc.pname"),
            op: Op::Exists,
            rhs: Rhs::None
        })
    );
    assert_eq!(p("(proc.pname exists)"), p("proc.pname exists"));
}

#[test]
fn precedence_is_not_then_and_then_or() {
    let (a, b, c) = (
        check("a.x", Op::Eq, "1"),
        check("b.x", Op::Eq, "2"),
        check("c.x", Op::Eq, "3"),
    );
    assert_eq!(
        p("a.x=1 or b.x=2 and c.x=3"),
        Expr::Or(vec![a.clone(), Expr::And(vec![b.clone(), c.clone()])])
    );
    assert_eq!(
        p("not a.x=1 and b.x=2"),
        Expr::And(vec![Expr::Not(Box::new(a.clone())), b.clone()])
    );
    assert_eq!(
        p("not (a.x=1 and b.x=2)"),
        Expr::Not(Box::new(Expr::And(vec![a.clone(), b.clone()])))
    );
    assert_eq!(
        p("(a.x=1 or b.x=2) and c.x=3"),
        Expr::And(vec![Expr::Or(vec![a.clone(), b.clone()]), c.clone()])
    );
    assert_eq!(
        p("not not a.x=1"),
        Expr::Not(Box::new(Expr::Not(Box::new(a.clone()))))
    );
    assert_eq!(p("((((a.x=1))))"), a);
    // Keywords need a blank (or `(`): `notify` and `order` are macros, not operators.
    assert_eq!(
        p("notify and order"),
        Expr::And(vec![
            Expr::Macro("notify".into()),
            Expr::Macro("order".into())
        ])
    );
    assert_eq!(
        p("not(spawned_process)"),
        Expr::Not(Box::new(Expr::Macro("spawned_process".into())))
    );
}

#[test]
fn fields_arguments_transformers_and_val() {
    assert_eq!(
        p("proc.aname[2] = bash"),
        Expr::Check(Check {
            lhs: Operand::Field {
                name: "proc.aname".into(),
                arg: Some("2".into())
            },
            op: Op::Eq,
            rhs: Rhs::Value("bash".into())
        })
    );
    assert_eq!(
        p("proc.env[\"MY VAR\"] = x"),
        Expr::Check(Check {
            lhs: Operand::Field {
                name: "proc.env".into(),
                arg: Some("MY VAR".into())
            },
            op: Op::Eq,
            rhs: Rhs::Value("x".into())
        })
    );
    assert_eq!(
        p("tolower(basename(proc.exe)) = bash"),
        Expr::Check(Check {
            lhs: Operand::Transform(
                Transformer::ToLower,
                Box::new(Operand::Transform(
                    Transformer::Basename,
                    Box::new(f("proc.exe"))
                ))
            ),
            op: Op::Eq,
            rhs: Rhs::Value("bash".into()),
        })
    );
    assert_eq!(
        p("len(proc.args) > 100"),
        Expr::Check(Check {
            lhs: Operand::Transform(Transformer::Len, Box::new(f("proc.args"))),
            op: Op::Gt,
            rhs: Rhs::Value("100".into())
        })
    );
    assert_eq!(
        p("proc.name = val(proc.pname)"),
        Expr::Check(Check {
            lhs: f("proc.name"),
            op: Op::Eq,
            rhs: Rhs::Field(f("proc.pname"))
        })
    );
    assert_eq!(
        p("proc.name = toupper(proc.pname)"),
        Expr::Check(Check {
            lhs: f("proc.name"),
            op: Op::Eq,
            rhs: Rhs::Field(Operand::Transform(
                Transformer::ToUpper,
                Box::new(f("proc.pname"))
            ))
        })
    );
}

#[test]
fn quoted_values_and_escapes() {
    assert_eq!(
        p(r#"proc.cmdline contains "a b\"c\x41\t""#),
        check("proc.cmdline", Op::Contains, "a b\"cA\t")
    );
    assert_eq!(
        p(r"proc.cmdline contains 'it\'s'"),
        check("proc.cmdline", Op::Contains, "it's")
    );
    assert_eq!(
        p("fd.name = '/tmp/a b'"),
        check("fd.name", Op::Eq, "/tmp/a b")
    );
    // As libsinsp: backslash-space is one backslash; a quote escape must match its string's quotes.
    assert_eq!(
        p(r#"proc.args contains "\ ""#),
        check("proc.args", Op::Contains, "\\")
    );
    assert!(parse(r#"proc.args contains 'a\"b'"#, &|_| None).is_err());
    assert!(parse(r#"proc.args contains "a\qb""#, &|_| None).is_err());
    assert_eq!(
        p("fd.name glob /tmp/*.sh"),
        check("fd.name", Op::Glob, "/tmp/*.sh")
    );
}

fn e(s: &str) -> (usize, String) {
    let err = parse(s, &|_| None).expect_err(s);
    (err.offset, err.message)
}

#[test]
fn errors_say_where_and_what_was_expected() {
    let (at, m) = e("proc.name = bash and");
    assert_eq!(at, 20);
    assert!(
        m.contains("expected a field, a macro, `not` or `(`") && m.contains("end of the condition"),
        "{m}"
    );
    let (at, m) = e("proc.name in (bash, sh");
    assert_eq!(at, 22);
    assert!(m.contains("`,` or `)`"), "{m}");
    let (at, m) = e("(proc.name = bash");
    assert_eq!(at, 17);
    assert!(m.contains("`)`"), "{m}");
    let (at, m) = e("proc.name[1 = x");
    assert_eq!(at, 11);
    assert!(m.contains("`]`"), "{m}");
    let (at, m) = e("proc.name = 'open");
    assert_eq!(at, 12);
    assert!(m.contains("closing quote"), "{m}");
    let (at, m) = e("proc.name = bash bash");
    assert_eq!(at, 17);
    assert!(m.contains("`and`, `or`"), "{m}");
    let (at, m) = e("frob(proc.name) = x");
    assert_eq!(at, 0);
    assert!(m.contains("unknown transformer"), "{m}");
    let (at, m) = e("proc.name[2] bash");
    assert_eq!(at, 13);
    assert!(m.contains("an operator"), "{m}");
    let (at, m) = e("proc.name in bash");
    assert_eq!(at, 13);
    assert!(m.contains("`(` to start a list"), "{m}");
}

#[test]
fn modifiers_mean_the_plain_comparisons_of_each_item() {
    let sw = |v: &str| check("proc.name", Op::StartsWith, v);
    assert_eq!(
        p("proc.name startswith anyof (ba, sh)"),
        Expr::Or(vec![sw("ba"), sw("sh")])
    );
    assert_eq!(
        p("proc.name startswith allof (ba, b)"),
        Expr::And(vec![sw("ba"), sw("b")])
    );
    let not = |e: Expr| Expr::Not(Box::new(e));
    assert_eq!(
        p("proc.name startswith oneof (a, b)"),
        Expr::Or(vec![
            Expr::And(vec![sw("a"), not(sw("b"))]),
            Expr::And(vec![not(sw("a")), sw("b")]),
        ])
    );
    // A list name expands inside the modifier's list, as anywhere.
    assert_eq!(
        p("proc.name = anyof (shells)"),
        Expr::Or(vec![
            check("proc.name", Op::Eq, "bash"),
            check("proc.name", Op::Eq, "sh")
        ])
    );
    // Without a list after it, the word is a value.
    assert_eq!(p("proc.name = anyof"), check("proc.name", Op::Eq, "anyof"));
    // Falco's multi-value transformers are named, not called unknown.
    let e = parse("join(\",\", (proc.name)) = x", &|_| None).unwrap_err();
    assert!(e.message.contains("multi-value transformers"), "{e:?}");
    let many = format!("proc.name = oneof ({})", vec!["x"; 40].join(", "));
    assert!(parse(&many, &|_| None).is_err());
}
