//! Linux: `IP_RECVERR` / `IPV6_RECVERR`, `Interest::ERROR` readiness and
//! `recvmsg(MSG_ERRQUEUE)`: two libc calls and the reading of what they fill in (with
//! [`crate::driver::cmsg`]).

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};

use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::{Report, classify};
use crate::driver::cmsg;

/// `SO_EE_ORIGIN_ICMP` and `SO_EE_ORIGIN_ICMP6` (linux/errqueue.h).
const ORIGIN_ICMP: u8 = 2;
const ORIGIN_ICMP6: u8 = 3;

/// Asks the kernel to queue the ICMP errors of `socket`'s datagrams: `IP_RECVERR`, and
/// `IPV6_RECVERR` too on an IPv6 socket (whose IPv4-mapped traffic reports through the
/// first).
pub fn enable(socket: &socket2::Socket, v6: bool) -> io::Result<()> {
    let fd = socket.as_raw_fd();
    if v6 {
        set(fd, libc::SOL_IPV6, libc::IPV6_RECVERR)?;
        // Only for IPv4-mapped destinations; an IPv6-only socket may refuse it.
        let _ = set(fd, libc::SOL_IP, libc::IP_RECVERR);
        Ok(())
    } else {
        set(fd, libc::SOL_IP, libc::IP_RECVERR)
    }
}

fn set(fd: RawFd, level: libc::c_int, option: libc::c_int) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: `fd` is an open socket for the duration of the call, and the option value
    // points to a c_int that lives across it, with its size.
    let done = unsafe {
        libc::setsockopt(
            fd,
            level,
            option,
            (&on as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if done == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Waits until the socket is marked in error (an ICMP error was queued). Never returns
/// if tokio cannot watch the socket any more (the runtime is shutting down).
pub async fn error_ready(socket: &UdpSocket) {
    if socket.ready(Interest::ERROR).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Reads one entry of the error queue: `Ok(Some(report))` for a destination
/// unreachable, `Ok(None)` for another error (read and dropped), `Err(WouldBlock)` once
/// the queue is empty, which also clears the error readiness. Any other failure ends
/// the reading as `WouldBlock` does, after a log line, so that a socket whose queue
/// cannot be read does not wake the driver again and again.
pub fn read(socket: &UdpSocket) -> io::Result<Option<Report>> {
    let fd = socket.as_raw_fd();
    socket.try_io(Interest::ERROR, || match read_one(fd) {
        Err(error) if error.kind() == io::ErrorKind::WouldBlock => Err(error),
        Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(None),
        Err(error) => {
            tracing::debug!(%error, "cannot read the socket's error queue");
            Err(io::ErrorKind::WouldBlock.into())
        }
        Ok(report) => Ok(report),
    })
}

fn read_one(fd: RawFd) -> io::Result<Option<Report>> {
    let mut name = MaybeUninit::<libc::sockaddr_storage>::zeroed();
    // The start of the failed datagram comes back too; it is not needed.
    let mut data = [0u8; 64];
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() };
    let mut control = [0u64; cmsg::CONTROL_WORDS];
    let mut message = cmsg::header(&mut name, &mut iov, &mut control);
    // SAFETY: `message` describes buffers that are valid for writes of the given sizes.
    let read = unsafe { libc::recvmsg(fd, &mut message, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if read < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: recvmsg wrote at most msg_namelen bytes into the zeroed storage; reading
    // it as a sockaddr_storage is valid either way.
    let name = unsafe { name.assume_init() };
    let dest = address(&name, message.msg_namelen);
    let kinds = [(libc::SOL_IP, libc::IP_RECVERR), (libc::SOL_IPV6, libc::IPV6_RECVERR)];
    let found: Option<libc::sock_extended_err> = cmsg::find(&message, &kinds);
    let Some(error) = found else { return Ok(None) };
    let v6 = match error.ee_origin {
        ORIGIN_ICMP => false,
        ORIGIN_ICMP6 => true,
        // A local error (a message too long for the path, say): not about the peer.
        _ => return Ok(None),
    };
    let why = classify(v6, error.ee_type, error.ee_code);
    tracing::trace!(
        ?dest,
        v6,
        icmp_type = error.ee_type,
        code = error.ee_code,
        errno = error.ee_errno,
        "ICMP error"
    );
    Ok(dest.zip(why).map(|(dest, why)| Report { dest, why }))
}

/// The address recvmsg wrote, as the datagram was addressed; an IPv4-mapped IPv6
/// address as the IPv4 one it maps (the transaction was started with that).
pub(in crate::driver) fn address(
    storage: &libc::sockaddr_storage,
    len: libc::socklen_t,
) -> Option<SocketAddr> {
    let len = len as usize;
    match libc::c_int::from(storage.ss_family) {
        libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
            // SAFETY: the family says the storage holds a sockaddr_in, and it is that long.
            let v4 = unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr));
            Some(SocketAddr::V4(SocketAddrV4::new(ip, u16::from_be(v4.sin_port))))
        }
        libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
            // SAFETY: the family says the storage holds a sockaddr_in6, and it is that long.
            let v6 = unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(v6.sin6_addr.s6_addr);
            let port = u16::from_be(v6.sin6_port);
            Some(match ip.to_ipv4_mapped() {
                Some(v4) => SocketAddr::V4(SocketAddrV4::new(v4, port)),
                None => SocketAddr::V6(SocketAddrV6::new(ip, port, 0, v6.sin6_scope_id)),
            })
        }
        _ => None,
    }
}
