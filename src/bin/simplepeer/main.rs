//! `simplepeer`: the session core from a shell.

mod call;
mod demo;
mod listen;
mod media;
mod registrar;
mod server;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use session_core::machine;

/// Place and answer SIP calls over UDP, and inspect the call state machine.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Wait for calls and answer or reject them.
    Listen(listen::Args),
    /// Call a SIP URI; exits 0 when the call was answered and ended normally.
    Call(call::Args),
    /// Run a registrar and proxy: users register and call each other by address of
    /// record (sip:USER@REALM).
    Server(server::Args),
    /// Peers in this process call each other on loopback and report what each heard: a
    /// call (a tone each way, DTMF, hold and resume), a three-party conference and a blind
    /// transfer.
    Demo,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Graph { format } = cli.command {
        print!(
            "{}",
            match format {
                GraphFormat::Mermaid => machine::MERMAID,
                GraphFormat::Dot => machine::DOT,
            }
        );
        return ExitCode::SUCCESS;
    }
    // The demo prints its own story; the daemons log each call.
    let default_filter = if matches!(cli.command, Command::Demo) { "warn" } else { "info" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("simplepeer: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Listen(args) => listen::run(args).await,
            Command::Call(args) => call::run(args).await,
            Command::Server(args) => server::run(args).await,
            Command::Demo => demo::run().await,
            Command::Graph { .. } => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("simplepeer: {message}");
            ExitCode::FAILURE
        }
    }
}
