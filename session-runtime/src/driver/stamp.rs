//! How long each datagram waited in the socket's receive queue: the kernel stamps it
//! on arrival (`SO_TIMESTAMPNS` on Linux) and the driver compares the stamp with the
//! clock when it reads it. That wait is the driver's lag: a server behind its input
//! sees it grow, whatever the reason (more requests than it serves, or a CPU taken by
//! something else), and refuses new calls until it shrinks ([`super::Driver`]).
//! Elsewhere no stamp is read, and the driver judges by how long it has read without
//! the socket running dry.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::{enable, try_recv};

/// Elsewhere: nothing to enable.
#[cfg(not(target_os = "linux"))]
pub fn enable(_socket: &socket2::Socket) -> std::io::Result<()> {
    Ok(())
}

/// Elsewhere: a plain receive, without a wait.
#[cfg(not(target_os = "linux"))]
pub fn try_recv(
    socket: &tokio::net::UdpSocket,
    buf: &mut [u8],
) -> std::io::Result<(usize, std::net::SocketAddr, Option<std::time::Duration>)> {
    socket.try_recv_from(buf).map(|(len, from)| (len, from, None))
}
