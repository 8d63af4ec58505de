//! `simplepeer`: the session core from a shell.

use clap::{Parser, Subcommand, ValueEnum};
use session_core::machine;

/// Place and answer SIP calls, and inspect the call state machine.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the call state graph compiled from state_table.yaml.
    Graph {
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Mermaid `stateDiagram-v2`, for Markdown.
    Mermaid,
    /// Graphviz DOT, for `dot -Tsvg`.
    Dot,
}

fn main() {
    match Cli::parse().command {
        Command::Graph { format } => print!(
            "{}",
            match format {
                GraphFormat::Mermaid => machine::MERMAID,
                GraphFormat::Dot => machine::DOT,
            }
        ),
    }
}
