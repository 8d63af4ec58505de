//! Name tables: identifier rules, duplicates, and lookup with "did you mean" hints.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, Loc};
use crate::parse::Name;

/// The names of one kind (states, events, actions or guards), by index.
pub struct Symbols {
    kind: &'static str,
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Symbols {
    /// Declares names in order, reporting invalid identifiers and duplicates.
    /// A duplicate keeps its first declaration.
    pub fn declare<'a>(
        kind: &'static str,
        names: impl IntoIterator<Item = &'a Name>,
        errors: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut symbols = Self { kind, names: Vec::new(), index: HashMap::new() };
        let mut first_seen: HashMap<String, Loc> = HashMap::new();
        for name in names {
            let loc = Loc::of(name);
            if let Err(error) = type_name(kind, &name.value, loc) {
                errors.push(error);
            }
            if let Some(first) = first_seen.get(&name.value) {
                errors.push(
                    Diagnostic::new(loc, format!("duplicate {kind} `{}`", name.value))
                        .help(format!("first declared at {first}; remove or rename one")),
                );
                continue;
            }
            first_seen.insert(name.value.clone(), loc);
            symbols.index.insert(name.value.clone(), symbols.names.len());
            symbols.names.push(name.value.clone());
        }
        symbols
    }

    /// The index of a declared name, or an "unknown name" error with the nearest match.
    pub fn resolve(&self, name: &Name) -> Result<usize, Diagnostic> {
        self.lookup(&name.value, Loc::of(name))
    }

    /// Like [`Symbols::resolve`], with `hint` as the help when no declared name is close.
    pub fn resolve_hinted(&self, name: &Name, hint: &str) -> Result<usize, Diagnostic> {
        self.find(&name.value, Loc::of(name), Some(hint))
    }

    /// Like [`Symbols::resolve`] for a name whose position is given separately.
    pub fn lookup(&self, name: &str, loc: Loc) -> Result<usize, Diagnostic> {
        self.find(name, loc, None)
    }

    fn find(&self, name: &str, loc: Loc, hint: Option<&str>) -> Result<usize, Diagnostic> {
        if let Some(&index) = self.index.get(name) {
            return Ok(index);
        }
        let error = Diagnostic::new(loc, format!("unknown {} `{name}`", self.kind));
        Err(match (nearest(name, &self.names), hint) {
            (Some(best), _) => error.help(format!("did you mean `{best}`?")),
            (None, Some(hint)) => error.help(hint),
            // A new action is a new required method of the action trait: say so, because
            // that is the next build error the user will meet.
            (None, None) if self.kind == "action" => error.help(format!(
                "declare it under `actions:`; the action trait then requires a method `{}`",
                heck::AsSnakeCase(name)
            )),
            (None, None) => error.help(format!("declare it under `{}s:`", self.kind)),
        })
    }
}

/// The declared name closest to `name`, if any is close enough to be a likely typo.
fn nearest<'a>(name: &str, candidates: &'a [String]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(distance, c)| *distance <= (c.len().max(name.len()) / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c.as_str())
}

/// Checks that `name` can be an enum variant: a Rust identifier in UpperCamelCase.
pub fn type_name(kind: &str, name: &str, loc: Loc) -> Result<(), Diagnostic> {
    if syn::parse_str::<syn::Ident>(name).is_err() {
        return Err(Diagnostic::new(loc, format!("{kind} name `{name}` is not a valid Rust identifier"))
            .help("use letters, digits and `_`, starting with a letter, and no keyword"));
    }
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) || name.contains('_') {
        return Err(Diagnostic::new(loc, format!("{kind} name `{name}` is not UpperCamelCase"))
            .help(format!("it becomes an enum variant; write it like `{}`", heck::AsUpperCamelCase(name))));
    }
    Ok(())
}

/// Checks that `name` can be a struct field or parameter: a snake_case Rust identifier.
pub fn field_name(name: &str, loc: Loc) -> Result<(), Diagnostic> {
    let is_ident = syn::parse_str::<syn::Ident>(name).is_ok();
    if !is_ident || name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(Diagnostic::new(loc, format!("field name `{name}` is not a snake_case Rust identifier"))
            .help(format!("write it like `{}`", heck::AsSnakeCase(name))));
    }
    Ok(())
}

/// The subject: what `subject:` says, or the machine's name in lower case words
/// (`CallLeg` → `call leg`). A written one must be lowercase words (ASCII letters and
/// digits, each word starting with a letter, separated by single spaces or hyphens)
/// without a leading article, because it completes sentences such as
/// "`Hangup` is not allowed while the call is Idle".
pub fn subject(written: Option<&Name>, machine: &str) -> Result<String, Diagnostic> {
    let Some(written) = written else {
        return Ok(heck::AsSnakeCase(machine).to_string().replace('_', " "));
    };
    let text = written.value.as_str();
    let word_ok = |word: &str| {
        word.starts_with(|c: char| c.is_ascii_lowercase())
            && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    let article = |word: &str| ["the", "a", "an"].contains(&word.to_ascii_lowercase().as_str());
    let snake = heck::AsSnakeCase(text).to_string();
    let suggestion = snake.split('_').skip_while(|w| article(w)).collect::<Vec<_>>().join(" ");
    let message = if !text.split([' ', '-']).all(word_ok) {
        format!("subject `{text}` is not lowercase words")
    } else if text.split([' ', '-']).next().is_some_and(article) {
        format!("subject `{text}` starts with an article")
    } else {
        return Ok(text.to_owned());
    };
    let example = if suggestion.split(' ').all(word_ok) { suggestion.as_str() } else { "call" };
    let help = format!("messages read \"while the <subject> is <State>\"; write it like `{example}`");
    Err(Diagnostic::new(Loc::of(written), message).help(help))
}
