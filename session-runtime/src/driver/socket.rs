//! The SIP socket: bound with a large receive buffer and (on Linux) ICMP errors
//! queued for the driver to read, and written to without waiting when the kernel has
//! room.

use std::io;
use std::net::SocketAddr;

use session_proto::sip::transaction::Transmit;
use tokio::net::UdpSocket;

/// Kernel receive buffer: at 64 KiB a burst of a few thousand calls per second overflows.
const RECEIVE_BUFFER: usize = 4 * 1024 * 1024;

/// Binds a UDP socket with a large receive buffer.
pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let domain = socket2::Domain::for_address(addr);
    let socket = socket2::Socket::new(domain, socket2::Type::DGRAM, Some(socket2::Protocol::UDP))?;
    // Best effort: the kernel caps it at net.core.rmem_max.
    let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    // Best effort too: without it a request to a closed port times out instead.
    if let Err(error) = super::icmp::enable(&socket, addr.is_ipv6()) {
        tracing::debug!(%error, "ICMP errors will not be reported");
    }
    // Best effort: without arrival stamps the driver judges its lag more roughly.
    if let Err(error) = super::stamp::enable(&socket) {
        tracing::debug!(%error, "datagrams will not be stamped on arrival");
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

/// Sends one datagram, waiting for room only when the kernel has none.
pub async fn send(socket: &UdpSocket, transmit: &Transmit) {
    let mut sent = send_once(socket, transmit).await;
    if sent.as_ref().is_err_and(super::icmp::is_pending_icmp) {
        // The ICMP error of an earlier datagram (to anywhere) failed this send, which
        // did not go out; the error is reported once, so the second try is this one's.
        sent = send_once(socket, transmit).await;
    }
    if let Err(error) = sent {
        tracing::debug!(to = %transmit.to, %error, "send failed");
    }
}

async fn send_once(socket: &UdpSocket, transmit: &Transmit) -> io::Result<usize> {
    match socket.try_send_to(&transmit.bytes, transmit.to) {
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
            socket.send_to(&transmit.bytes, transmit.to).await
        }
        other => other,
    }
}

/// Hands memory freed by finished calls back to the system once the last call and
/// transaction are gone. glibc keeps freed heap in its per-thread arenas and would hold
/// the peak of a burst of calls for the life of the process; other allocators return
/// memory on their own, so this is a no-op for them.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own arenas; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
