//! `simplepeer server`: the embedded registrar and proxy.

use std::sync::Arc;

use session_core::auth::Users;
use session_core::location::RedisStore;
use session_core::{Server, ServerBuilder};

/// Options of `simplepeer server`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:5060")]
    bind: String,
    /// The users: one `name:password` line each (`#` starts a comment). Only their
    /// digests (HA1) are kept.
    #[arg(long, value_name = "FILE")]
    users: std::path::PathBuf,
    /// The digest realm and the domain of every address of record (`sip:USER@REALM`).
    #[arg(long, default_value = "simplepeer")]
    realm: String,
    /// Keep bindings and nonce counts in this Redis (`redis://127.0.0.1:6379`), shared
    /// with every other node that uses it; in this process when left out.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
}

pub async fn run(args: Args) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.users)
        .map_err(|e| format!("cannot read the users file {}: {e}", args.users.display()))?;
    let users = Users::parse(&text, &args.realm).map_err(|e| format!("{}: {e}", args.users.display()))?;
    if users.is_empty() {
        return Err(format!("{} has no users; add lines like alice:password", args.users.display()));
    }
    let count = users.len();
    let builder = Server::builder(&args.bind, &args.realm, users).map_err(|e| e.to_string())?;
    let builder = match &args.redis {
        Some(url) => with_redis(builder, url).await?,
        None => builder,
    };
    let server = builder.start().await.map_err(|e| e.to_string())?;
    let store = if args.redis.is_some() { "Redis" } else { "memory" };
    tracing::info!(addr = %server.local_addr(), realm = %args.realm, users = count, store, "serving");
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    Ok(())
}

/// Bindings in Redis, and the nonce secret every node on that Redis shares.
async fn with_redis(builder: ServerBuilder, url: &str) -> Result<ServerBuilder, String> {
    let store = RedisStore::connect(url).await.map_err(|e| e.to_string())?;
    let secret = store.shared_secret().await.map_err(|e| e.to_string())?;
    Ok(builder.secret(secret).store(Arc::new(store)))
}
