//! Located error messages: every problem in a table names `FILE:LINE:COL`.

use std::fmt;

/// A position in the YAML source, 1-based like editors show it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number, starting at 1.
    pub column: u32,
}

impl Loc {
    /// The position of a value deserialized as [`serde_saphyr::Spanned`].
    pub fn of<T>(spanned: &serde_saphyr::Spanned<T>) -> Self {
        Self::from_location(&spanned.referenced)
    }

    /// Converts a serde-saphyr location.
    pub fn from_location(location: &serde_saphyr::Location) -> Self {
        Self {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem found in a table: where, what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// What to do about it, when the checker can tell (a suggested name, say).
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic without a hint.
    pub fn new(loc: Loc, message: impl Into<String>) -> Self {
        Self { loc, message: message.into(), help: None }
    }

    /// Adds a hint on how to fix the problem.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic as `FILE:LINE:COL: MESSAGE (help: HINT)` on one line,
    /// the shape editors and terminals turn into a link.
    pub fn render(&self, file: &str) -> String {
        match &self.help {
            Some(help) => format!("{file}:{}: {} (help: {help})", self.loc, self.message),
            None => format!("{file}:{}: {}", self.loc, self.message),
        }
    }
}

/// Sorts diagnostics by position and renders them one per line.
pub fn render_all(diagnostics: &[Diagnostic], file: &str) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| d.loc);
    sorted.iter().map(|d| d.render(file)).collect::<Vec<_>>().join("\n")
}
