//! `--registrar`, `--user`, `--outbound-proxy`: registering `listen` and `call` with a
//! registrar, the password taken from the environment.

use std::net::SocketAddr;

use session_core::{OverloadLimits, Registration, SimplePeer};

use crate::peer::PeerArgs;

/// The environment variable the registration password is read from: a flag would show
/// it in `ps` and in the shell's history.
pub const PASSWORD_VAR: &str = "SIMPLEPEER_PASSWORD";

/// The registration options `listen` and `call` share.
#[derive(clap::Args, Clone, Debug)]
pub struct RegisterArgs {
    /// Register with this registrar first, e.g. sip:192.0.2.10:5060; the password comes
    /// from the environment variable SIMPLEPEER_PASSWORD.
    #[arg(long, value_name = "URI", requires = "user")]
    registrar: Option<String>,
    /// The user to register, and the user part of our SIP URI.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Send REGISTER and new calls' INVITEs through this proxy (sip:HOST[:PORT]). `call`
    /// with --registrar goes through the registrar unless this names another.
    #[arg(long, value_name = "URI")]
    outbound_proxy: Option<String>,
}

impl RegisterArgs {
    /// Starts the peer at `bind` with `peer`'s options, through the outbound proxy
    /// (the registrar's address when `via_registrar` and none is given), and registers
    /// when --registrar is given; new calls past `limits` are refused. Arguments are
    /// checked before anything is sent.
    pub async fn start(
        &self,
        peer: &PeerArgs,
        bind: &str,
        via_registrar: bool,
        limits: OverloadLimits,
    ) -> Result<(SimplePeer, Option<Registration>), String> {
        let password = match &self.registrar {
            Some(_) => Some(std::env::var(PASSWORD_VAR).map_err(|_| {
                format!(
                    "--registrar needs the password of the user in the environment variable {PASSWORD_VAR}"
                )
            })?),
            None => None,
        };
        let mut builder = peer.builder(bind)?.overload(limits);
        if let Some(user) = &self.user {
            builder = builder.user(user);
        }
        let proxy = self.outbound_proxy.as_ref().or(self.registrar.as_ref().filter(|_| via_registrar));
        if let Some(uri) = proxy {
            let v4 = bind.parse::<SocketAddr>().map_or(true, |addr| addr.is_ipv4());
            let addr = resolve(uri, v4).await?;
            tracing::info!(proxy = %addr, "requests outside a dialog go through the outbound proxy");
            builder = builder.outbound_proxy(addr);
        }
        let simple = builder.start().await.map_err(|e| e.to_string())?;
        let (Some(registrar), Some(user), Some(password)) = (&self.registrar, &self.user, password) else {
            return Ok((simple, None));
        };
        tracing::info!(registrar, user, "registering");
        let registration = simple
            .register(registrar, user, &password)
            .await
            .map_err(|e| format!("registration with {registrar} failed: {e}"))?;
        tracing::info!(registrar, user, expires = registration.expires(), "registered");
        Ok((simple, Some(registration)))
    }
}

/// The address of `sip:HOST[:PORT]` (or `HOST[:PORT]`), of the IP version of our socket.
async fn resolve(uri: &str, v4: bool) -> Result<SocketAddr, String> {
    let sip_uri = if uri.starts_with("sip:") { uri.to_owned() } else { format!("sip:{uri}") };
    let (host, port) = session_core::target_host_port(&sip_uri).map_err(|e| e.to_string())?;
    let host = host.as_str();
    let found =
        tokio::net::lookup_host((host, port)).await.map_err(|e| format!("cannot find `{host}`: {e}"))?;
    let family = if v4 { "IPv4" } else { "IPv6" };
    found.into_iter().find(|a| a.is_ipv4() == v4).ok_or_else(|| format!("`{host}` has no {family} address"))
}
