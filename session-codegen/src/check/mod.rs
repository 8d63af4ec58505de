//! Stage 2: the raw table becomes a [`Machine`] whose names all resolve, or a list of
//! located [`Diagnostic`]s.
//!
//! The checks run in the order a reader would ask the questions: are the names well
//! formed and unique (`declare`), do references resolve (`resolve`), is the
//! transition relation well formed (`rules`), is every (state, event) pair accounted for
//! (`coverage`, and `failures` for the events that failing actions raise), and is the
//! graph sound (`graph`). Later stages only run on a table whose names resolve, so one
//! typo gives one error rather than a cascade.

mod coverage;
mod declare;
mod failures;
mod graph;
mod names;
mod resolve;
mod rules;

use crate::diagnostic::Diagnostic;
use crate::model::Machine;
use crate::parse::RawTable;

/// Checks a parsed table.
pub fn check(raw: &RawTable) -> Result<Machine, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let declared = declare::declare(raw, &mut errors);
    let machine = resolve::resolve(raw, declared, &mut errors);
    if !errors.is_empty() {
        return Err(sorted(errors));
    }
    rules::check(&machine, &mut errors);
    coverage::check(&machine, &mut errors);
    failures::check(&machine, &mut errors);
    graph::check(&machine, &mut errors);
    if errors.is_empty() { Ok(machine) } else { Err(sorted(errors)) }
}

fn sorted(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| a.loc.cmp(&b.loc).then_with(|| a.message.cmp(&b.message)));
    errors.dedup();
    errors
}
