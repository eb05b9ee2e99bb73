//! Rule files: items, appends and overrides, exceptions, error positions,
//! and Falco's own rule files.

use shrike_rule_lang::ast::{Check, Expr, Op, Operand, Rhs};
use shrike_rule_lang::{Loader, Priority, RuleSet};

#[path = "support/falco_files.rs"]
mod falco_files;
use falco_files::{FALCO_FILES, falco_dir};

fn load(text: &str) -> RuleSet {
    let mut l = Loader::new();
    l.add_str("test.yaml", text)
        .unwrap_or_else(|e| panic!("{e:?}"));
    l.finish().unwrap_or_else(|e| panic!("{e:?}"))
}

fn load_err(text: &str) -> String {
    let mut l = Loader::new();
    match l.add_str("test.yaml", text) {
        Err(e) => e[0].to_string(),
        Ok(()) => l
            .finish()
            .expect_err("an error")
            .first()
            .unwrap()
            .to_string(),
    }
}

fn check(field: &str, op: Op, rhs: Rhs) -> Expr {
    Expr::Check(Check {
        lhs: Operand::Field {
            name: field.into(),
            arg: None,
        },
        op,
        rhs,
    })
}

const BASE: &str = r#"
- required_engine_version: 0.31.0
- list: shells
  items: [bash, sh]
- list: all_shells
  items: [shells, zsh]
- macro: spawned
  condition: evt.type = execve
- macro: shell_spawn
  condition: spawned and proc.name in (all_shells)
- rule: Shell
  desc: a shell started
  condition: shell_spawn and not user.name = root
  output: "shell %proc.name by %user.name"
  priority: WARNING
  tags: [shell, mitre_execution]
"#;

#[test]
fn lists_flatten_and_macros_inline() {
    let set = load(BASE);
    assert_eq!(set.engine_versions, ["0.31.0"]);
    let r = &set.rules[0];
    assert_eq!(
        (r.name.as_str(), r.priority, r.enabled, r.source.as_str()),
        ("Shell", Priority::Warning, true, "syscall")
    );
    assert_eq!(r.tags, ["shell", "mitre_execution"]);
    assert_eq!(r.output, "shell %proc.name by %user.name");
    let want = Expr::And(vec![
        Expr::And(vec![
            check("evt.type", Op::Eq, Rhs::Value("execve".into())),
            check(
                "proc.name",
                Op::In,
                Rhs::List(vec!["bash".into(), "sh".into(), "zsh".into()]),
            ),
        ]),
        Expr::Not(Box::new(check(
            "user.name",
            Op::Eq,
            Rhs::Value("root".into()),
        ))),
    ]);
    assert_eq!(r.condition, want);
}

#[test]
fn appends_and_overrides() {
    let set = load(&format!(
        "{BASE}
- list: shells
  items: [fish]
  append: true
- macro: spawned
  condition: or evt.type = execveat
  override:
    condition: append
- rule: Shell
  condition: and proc.pname != sshd
  append: true
- rule: Shell
  priority: notice
  override:
    priority: replace
- rule: Shell
  enabled: false
"
    ));
    let r = &set.rules[0];
    assert_eq!(r.priority, Priority::Notice);
    assert!(!r.enabled);
    let text = format!("{:?}", r.condition);
    assert!(
        text.contains("\"fish\""),
        "list append reaches the rule: {text}"
    );
    assert!(text.contains("execveat"), "macro append: {text}");
    assert!(text.contains("proc.pname"), "rule append: {text}");
}

#[test]
fn exceptions_become_and_not() {
    let set = load(
        r#"
- list: trusted
  items: [cron, systemd]
- rule: Write etc
  condition: fd.name startswith /etc
  output: x
  priority: ERROR
  exceptions:
    - name: known
      fields: [proc.name, fd.name]
      comps: [=, startswith]
      values:
        - [vi, /etc/hosts]
        - [apt, /etc/apt]
    - name: by_parent
      fields: proc.pname
      values: [trusted, sshd]
"#,
    );
    let c = &set.rules[0].condition;
    let Expr::And(parts) = c else { panic!("{c:?}") };
    let Expr::Not(x) = &parts[1] else {
        panic!("{c:?}")
    };
    let Expr::Or(alts) = &**x else {
        panic!("{x:?}")
    };
    assert_eq!(alts.len(), 3);
    assert_eq!(
        alts[0],
        Expr::And(vec![
            check("proc.name", Op::Eq, Rhs::Value("vi".into())),
            check("fd.name", Op::StartsWith, Rhs::Value("/etc/hosts".into()))
        ])
    );
    assert_eq!(
        alts[2],
        check(
            "proc.pname",
            Op::In,
            Rhs::List(vec!["cron".into(), "systemd".into(), "sshd".into()])
        )
    );
}

#[test]
fn errors_name_file_line_and_column() {
    // A syntax error inside a one-line condition.
    let e = load_err(
        "- rule: R\n  condition: proc.name = bash and and\n  output: x\n  priority: INFO\n",
    );
    assert_eq!(
        e,
        "test.yaml:2:35: condition syntax: expected a field, a macro, `not` or `(`, found `and`"
    );
    // Inside a folded block condition, on its third line.
    let e = load_err(
        "- macro: m\n  condition: >\n    evt.type = open\n    and fd.name in\n    (a, b\n",
    );
    assert!(e.starts_with("test.yaml:5:10:"), "{e}");
    assert!(e.contains("`,` or `)`"), "{e}");
    // YAML itself.
    let e = load_err("- rule: R\n  condition: [unclosed\n");
    assert!(e.starts_with("test.yaml:3:") && e.contains("YAML"), "{e}");
    // Unknown items and missing keys.
    let e = load_err("- rulez: R\n");
    assert!(
        e.starts_with("test.yaml:1:3: unknown item (keys: rulez)"),
        "{e}"
    );
    assert!(
        load_err("- rule: R\n  condition: a.b = 1\n  output: x\n")
            .contains("rule `R` has no priority")
    );
    assert!(
        load_err("- rule: R\n  condition: a.b = 1\n  output: x\n  priority: LOUD\n")
            .contains("test.yaml:4:13: unknown priority `LOUD`")
    );
    assert!(
        load_err("- list: l\n  items: [a]\n- list: m\n  items: [b]\n  append: true\n")
            .contains("test.yaml:3:3: cannot append to list `m`")
    );
}

#[test]
fn undefined_macros_skip_the_rule_without_failing_the_load() {
    let set = load(
        "- rule: A\n  condition: nosuchmacro and a.b = 1\n  output: x\n  priority: INFO\n- rule: B\n  condition: a.b = 1\n  output: x\n  priority: INFO\n",
    );
    assert_eq!(set.rules.len(), 1);
    assert_eq!(set.rules[0].name, "B");
    assert_eq!(set.skipped.len(), 1);
    assert!(
        set.skipped[0]
            .to_string()
            .contains("rule `A` skipped: `nosuchmacro` is neither"),
        "{}",
        set.skipped[0]
    );
    // Macros that refer to themselves are caught, not followed forever.
    let set = load(
        "- macro: a\n  condition: b\n- macro: b\n  condition: a\n- rule: R\n  condition: a\n  output: x\n  priority: INFO\n",
    );
    assert!(
        set.skipped[0].message.contains("refers to itself"),
        "{:?}",
        set.skipped
    );
}

#[test]
fn falco_rule_files_load_with_zero_syntax_errors() {
    let Some(dir) = falco_dir() else {
        return;
    };
    let mut l = Loader::new();
    for f in FALCO_FILES {
        l.add_file(&dir.join(f)).unwrap_or_else(|e| {
            panic!(
                "{f}: {}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
    }
    let set = l.finish().unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let enabled = set.rules.iter().filter(|r| r.enabled).count();
    println!(
        "{} rules loaded ({enabled} enabled), {} skipped",
        set.rules.len(),
        set.skipped.len()
    );
    for s in &set.skipped {
        println!("  skipped: {s}");
    }
    // SOURCE.md: 25 + 31 + 37 rules.
    assert_eq!(set.rules.len() + set.skipped.len(), 93);
    assert!(
        set.skipped.is_empty(),
        "every macro the files use is defined in them"
    );
}

#[test]
fn crafted_rule_files_get_an_error_not_a_crash() {
    // 10,000 nested parentheses once overflowed the stack.
    let deep = format!(
        "- rule: deep\n  desc: d\n  condition: {}proc.name = x{}\n  output: o\n  priority: INFO\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let mut l = Loader::new();
    let errs = match l.add_str("deep.yaml", &deep) {
        Err(e) => e,
        Ok(()) => {
            let Err(e) = l.finish() else {
                panic!("a too-deep condition is an error")
            };
            e
        }
    };
    let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("deep.yaml") && e.contains("deeper than 200")),
        "{text:?}"
    );
    let nots = format!(
        "- rule: nots\n  desc: d\n  condition: {}proc.name = x\n  output: o\n  priority: INFO\n",
        "not ".repeat(10_000)
    );
    let mut l = Loader::new();
    let errs = match l.add_str("nots.yaml", &nots) {
        Err(e) => e,
        Ok(()) => {
            let Err(e) = l.finish() else {
                panic!("a too-deep condition is an error")
            };
            e
        }
    };
    assert!(
        errs.iter()
            .any(|e| e.to_string().contains("deeper than 200")),
        "{errs:?}"
    );

    // Lists of lists that double with each level.
    let mut lists = String::from("- list: l0\n  items: [a, b]\n");
    for i in 1..=40 {
        lists.push_str(&format!("- list: l{i}\n  items: [l{p}, l{p}]\n", p = i - 1));
    }
    let mut l = Loader::new();
    l.add_str("lists.yaml", &lists).unwrap();
    let Err(errs) = l.finish() else {
        panic!("a list of 2^41 items is an error")
    };
    assert!(
        errs.iter().any(|e| {
            let e = e.to_string();
            e.contains("lists.yaml") && e.contains("list `l16` expands to 131072 items")
        }),
        "{errs:?}"
    );

    // Macros that use the one before twice.
    let mut macros = String::from("- macro: m0\n  condition: proc.name = x\n");
    for i in 1..=40 {
        macros.push_str(&format!(
            "- macro: m{i}\n  condition: (m{p} and m{p})\n",
            p = i - 1
        ));
    }
    macros.push_str("- rule: big\n  desc: d\n  condition: m40\n  output: o\n  priority: INFO\n");
    let mut l = Loader::new();
    l.add_str("macros.yaml", &macros).unwrap();
    let set = l.finish().expect("the file loads; the rule is skipped");
    assert!(set.rules.is_empty());
    assert!(
        set.skipped
            .iter()
            .any(|e| e.to_string().contains("rule `big` skipped")
                && e.to_string().contains("grows past")),
        "{:?}",
        set.skipped
    );
}

#[test]
fn a_list_item_written_with_quotes_is_the_string_inside_them() {
    // Falco's rfc_1918_addresses: items quoted inside the YAML string, which
    // Falco pastes into the condition as text.
    let set = load(
        "- list: nets\n  items: ['\"10.0.0.0/8\"', \"'192.168.0.0/16'\", plain]\n\
         - rule: r\n  desc: d\n  condition: fd.snet in (nets)\n  output: o\n  priority: INFO\n",
    );
    let shrike_rule_lang::ast::Expr::Check(c) = &set.rules[0].condition else {
        panic!("{:?}", set.rules[0].condition);
    };
    assert_eq!(
        c.rhs,
        shrike_rule_lang::ast::Rhs::List(vec![
            "10.0.0.0/8".into(),
            "192.168.0.0/16".into(),
            "plain".into()
        ])
    );
}
