//! Linux: `IP_RECVERR` / `IPV6_RECVERR`, `Interest::ERROR` readiness and
//! `recvmsg(MSG_ERRQUEUE)`. The only unsafe code of the driver: two libc calls and the
//! reading of what they fill in.

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, RawFd};

use tokio::io::Interest;
use tokio::net::UdpSocket;

use super::{Report, classify};

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

/// Control data room: a `cmsghdr`, a `sock_extended_err` and the offender's address,
/// with room to spare; u64s for the alignment `cmsghdr` needs.
const CONTROL_WORDS: usize = 64;

fn read_one(fd: RawFd) -> io::Result<Option<Report>> {
    let mut name = MaybeUninit::<libc::sockaddr_storage>::zeroed();
    // The start of the failed datagram comes back too; it is not needed.
    let mut data = [0u8; 64];
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() };
    let mut control = [0u64; CONTROL_WORDS];
    // SAFETY: an all-zero msghdr is a valid empty one; every pointer set below points to
    // a local that outlives the recvmsg call, with its true size.
    let mut message: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    message.msg_name = name.as_mut_ptr().cast();
    message.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = size_of::<[u64; CONTROL_WORDS]>() as _;
    // SAFETY: `message` describes buffers that are valid for writes of the given sizes.
    let read = unsafe { libc::recvmsg(fd, &mut message, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if read < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: recvmsg wrote at most msg_namelen bytes into the zeroed storage; reading
    // it as a sockaddr_storage is valid either way.
    let name = unsafe { name.assume_init() };
    let dest = address(&name, message.msg_namelen);
    let mut found = None;
    // SAFETY: the CMSG macros walk the control buffer recvmsg filled in, bounded by
    // msg_controllen; each header is checked to hold a whole sock_extended_err before
    // one is read from it (unaligned, as CMSG_DATA need not be aligned for it).
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            let (level, kind, len) = ((*header).cmsg_level, (*header).cmsg_type, (*header).cmsg_len);
            #[allow(clippy::unnecessary_cast)] // cmsg_len is a size_t on glibc, a socklen_t on musl
            let fits = len as usize >= libc::CMSG_LEN(size_of::<libc::sock_extended_err>() as u32) as usize;
            let ours = (level == libc::SOL_IP && kind == libc::IP_RECVERR)
                || (level == libc::SOL_IPV6 && kind == libc::IPV6_RECVERR);
            if ours && fits {
                let error: libc::sock_extended_err =
                    std::ptr::read_unaligned(libc::CMSG_DATA(header).cast::<libc::sock_extended_err>());
                found = Some(error);
                break;
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
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
