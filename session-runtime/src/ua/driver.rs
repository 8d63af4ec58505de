//! The thin tokio layer: one task owns the UDP socket and the user agent, and turns
//! datagrams, commands and the clock into calls on it.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::DialogAdapter;
use super::command::Command;
use crate::api::CallError;

/// Largest UDP payload.
const DATAGRAM: usize = 65_535;
/// Datagrams handled per wake-up before the timers and commands get a turn.
const BURST: usize = 64;
/// Kernel receive buffer: at 64 KiB a burst of a few thousand calls per second overflows.
const RECEIVE_BUFFER: usize = 4 * 1024 * 1024;

/// Binds a UDP socket with a large receive buffer.
pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let domain = socket2::Domain::for_address(addr);
    let socket = socket2::Socket::new(domain, socket2::Type::DGRAM, Some(socket2::Protocol::UDP))?;
    // Best effort: the kernel caps it at net.core.rmem_max.
    let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

/// Runs the user agent until [`Command::Shutdown`].
pub async fn run(socket: UdpSocket, mut ua: DialogAdapter, mut commands: mpsc::UnboundedReceiver<Command>) {
    let mut buf = vec![0u8; DATAGRAM];
    let far = || tokio::time::Instant::now() + Duration::from_secs(3600);
    let sleep = tokio::time::sleep_until(far());
    tokio::pin!(sleep);
    let mut was_busy = false;
    loop {
        flush(&socket, &mut ua).await;
        let busy = ua.calls() + ua.transactions() > 0;
        if was_busy && !busy {
            release_freed_memory();
        }
        was_busy = busy;
        let deadline = ua.poll_timeout().map_or_else(far, tokio::time::Instant::from_std);
        if sleep.deadline() != deadline {
            sleep.as_mut().reset(deadline);
        }
        tokio::select! {
            biased;
            command = commands.recv() => match command {
                None | Some(Command::Shutdown) => break,
                Some(command) => ua.handle_command(Instant::now(), command).await,
            },
            received = socket.recv_from(&mut buf) => {
                match received {
                    Ok((len, from)) => ua.handle_datagram(Instant::now(), from, &buf[..len]).await,
                    Err(error) => tracing::debug!(%error, "receive failed"),
                }
                for _ in 0..BURST {
                    match socket.try_recv_from(&mut buf) {
                        Ok((len, from)) => ua.handle_datagram(Instant::now(), from, &buf[..len]).await,
                        Err(_) => break,
                    }
                }
            }
            () = &mut sleep => ua.handle_timeout(Instant::now()).await,
        }
    }
    flush(&socket, &mut ua).await;
    refuse_queued(commands).await;
}

/// Answers every command still queued with [`CallError::Shutdown`]. Close-then-drain
/// rather than a drop: a send racing the drop of the receiver would stay queued, its
/// reply never sent, for as long as a `Call` keeps a sender (see the media engine).
async fn refuse_queued(mut commands: mpsc::UnboundedReceiver<Command>) {
    commands.close();
    while let Some(command) = commands.recv().await {
        match command {
            Command::Dial { reply, .. } => {
                let _ = reply.send(Err(CallError::Shutdown));
            }
            Command::Event { reply, .. } => {
                let _ = reply.send(Err(CallError::Shutdown));
            }
            Command::Media { .. } | Command::Shutdown => {}
        }
    }
}

/// Hands memory freed by finished calls back to the system once the last call and
/// transaction are gone. glibc keeps freed heap in its per-thread arenas and would hold
/// the peak of a burst of calls for the life of the process; other allocators return
/// memory on their own, so this is a no-op for them.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own arenas; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

async fn flush(socket: &UdpSocket, ua: &mut DialogAdapter) {
    while let Some(transmit) = ua.poll_transmit() {
        let sent = match socket.try_send_to(&transmit.bytes, transmit.to) {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                socket.send_to(&transmit.bytes, transmit.to).await
            }
            other => other,
        };
        if let Err(error) = sent {
            tracing::debug!(to = %transmit.to, %error, "send failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::sync::oneshot;

    use super::*;
    use crate::machine::Event;
    use crate::types::SessionId;

    #[tokio::test]
    async fn commands_queued_at_shutdown_are_refused_not_dropped() {
        let (commands, queue) = mpsc::unbounded_channel();
        let (dial, dialled) = oneshot::channel();
        let (event, evented) = oneshot::channel();
        commands.send(Command::Dial { target: "sip:bob@127.0.0.1".into(), reply: dial }).unwrap();
        commands.send(Command::Event { session: SessionId(1), event: Event::Hangup, reply: event }).unwrap();
        refuse_queued(queue).await;
        assert!(matches!(dialled.await, Ok(Err(CallError::Shutdown))));
        assert!(matches!(evented.await, Ok(Err(CallError::Shutdown))));
        assert!(commands.send(Command::Shutdown).is_err(), "the queue is closed");
    }
}
