//! `simplepeer`: the session core from a shell.

mod call;
mod console;
mod demo;
mod limits;
mod listen;
mod media;
mod peer;
mod plan;
mod registrar;
mod server;
mod signals;
mod stats;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use session_core::machine;

/// Place and answer SIP calls over UDP, and inspect the call state machine.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More log lines: -v for each step of a call (debug), -vv for everything (trace).
    /// RUST_LOG, when set, decides instead.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Only warnings and errors in the log.
    #[arg(short, long, global = true)]
    quiet: bool,
}

/// How a command failed: what to print, and the exit status (1, or 128 + the signal
/// that stopped it).
pub struct Failure {
    message: String,
    status: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { message, status: 1 }
    }
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
    log_to_stderr(&cli);
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
            Command::Server(args) => server::run(args).await.map_err(Failure::from),
            Command::Demo => demo::run().await.map_err(Failure::from),
            Command::Graph { .. } => Ok(()),
        }
    });
    // A read of the terminal (listen --interactive) may still be blocked in its thread.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("simplepeer: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}

/// Logs go to stderr: at INFO by default (the demo, which prints its own story: WARN),
/// moved by -v/-q unless RUST_LOG is set; in colour only on a terminal and without
/// NO_COLOR (https://no-color.org).
fn log_to_stderr(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) if matches!(cli.command, Command::Demo) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr).init();
}
