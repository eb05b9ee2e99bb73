//! The parsed form of a condition.

/// A boolean expression over event fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    /// Both hold.
    And(Vec<Expr>),
    /// Either holds.
    Or(Vec<Expr>),
    /// Boolean negation.
    Not(Box<Expr>),
    /// A comparison on one field.
    Check(Check),
    /// A macro not yet replaced by its condition (only before resolution).
    Macro(String),
}

/// `lhs op rhs`, `lhs op (list)` or `lhs exists`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Check {
    /// The value being tested.
    pub lhs: Operand,
    /// The comparison.
    pub op: Op,
    /// What it is compared with.
    pub rhs: Rhs,
}

/// A field, possibly wrapped in transformers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// `name` or `name[arg]`.
    Field {
        /// Field name, e.g. `proc.aname`.
        name: String,
        /// Argument in brackets, e.g. `2` in `proc.aname[2]`.
        arg: Option<String>,
    },
    /// `tolower(...)` and friends.
    Transform(Transformer, Box<Operand>),
}

impl Operand {
    /// The field at the bottom of any transformers.
    pub fn field(&self) -> (&str, Option<&str>) {
        match self {
            Operand::Field { name, arg } => (name, arg.as_deref()),
            Operand::Transform(_, inner) => inner.field(),
        }
    }
}

/// Value transformers (FALCO-FIELDS.md §2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transformer {
    /// ASCII lower case.
    ToLower,
    /// ASCII upper case.
    ToUpper,
    /// Text after the last `/`.
    Basename,
    /// Length.
    Len,
    /// Base64 decoding.
    B64,
}

impl Transformer {
    /// The transformer called `name`.
    pub fn from_name(name: &str) -> Option<Transformer> {
        Some(match name {
            "tolower" => Transformer::ToLower,
            "toupper" => Transformer::ToUpper,
            "basename" => Transformer::Basename,
            "len" => Transformer::Len,
            "b64" => Transformer::B64,
            _ => return None,
        })
    }
}

/// Comparison operators (FALCO-FIELDS.md §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    BContains,
    StartsWith,
    BStartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    In,
    Intersects,
    PMatch,
    Exists,
}

impl Op {
    /// The operator spelled `s`.
    pub fn from_word(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "regex" => Op::Regex,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "pmatch" => Op::PMatch,
            "exists" => Op::Exists,
            _ => return None,
        })
    }

    /// How the operator is written (one spelling of each).
    pub fn word(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Contains => "contains",
            Op::IContains => "icontains",
            Op::BContains => "bcontains",
            Op::StartsWith => "startswith",
            Op::BStartsWith => "bstartswith",
            Op::EndsWith => "endswith",
            Op::Glob => "glob",
            Op::IGlob => "iglob",
            Op::Regex => "regex",
            Op::In => "in",
            Op::Intersects => "intersects",
            Op::PMatch => "pmatch",
            Op::Exists => "exists",
        }
    }

    /// Whether the right-hand side is a parenthesised list.
    pub fn takes_list(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }
}

/// The right-hand side of a check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Rhs {
    /// `exists` has none.
    None,
    /// A literal value.
    Value(String),
    /// A list of literal values.
    List(Vec<String>),
    /// `val(field)` or a transformed field: compare with another field.
    Field(Operand),
}
