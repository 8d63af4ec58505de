//! Linux: `SO_TIMESTAMPNS` and `recvmsg` with its `SCM_TIMESTAMPNS` control message.

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Asks the kernel to stamp every datagram `socket` receives with its arrival time.
pub fn enable(socket: &socket2::Socket) -> io::Result<()> {
    let on: libc::c_int = 1;
    // SAFETY: the fd is an open socket for the duration of the call, and the option
    // value points to a c_int that lives across it, with its size.
    let done = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPNS,
            (&on as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if done == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Receives one datagram without waiting: its length, its source, and how long it
/// waited in the queue (`None` without a stamp). `WouldBlock` when the queue is empty.
pub fn try_recv(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<(usize, SocketAddr, Option<Duration>)> {
    let fd = socket.as_raw_fd();
    socket.try_io(Interest::READABLE, || recv_one(fd, buf))
}

/// Control data room: a `cmsghdr` and a `timespec`, with room to spare; u64s for the
/// alignment `cmsghdr` needs.
const CONTROL_WORDS: usize = 16;

fn recv_one(fd: RawFd, buf: &mut [u8]) -> io::Result<(usize, SocketAddr, Option<Duration>)> {
    let mut name = MaybeUninit::<libc::sockaddr_storage>::zeroed();
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    let mut control = [0u64; CONTROL_WORDS];
    // SAFETY: an all-zero msghdr is a valid empty one; every pointer set below points to
    // a buffer that outlives the recvmsg call, with its true size.
    let mut message: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    message.msg_name = name.as_mut_ptr().cast();
    message.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = size_of::<[u64; CONTROL_WORDS]>() as _;
    // SAFETY: `message` describes buffers that are valid for writes of the given sizes.
    let read = unsafe { libc::recvmsg(fd, &mut message, libc::MSG_DONTWAIT) };
    if read < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: recvmsg wrote at most msg_namelen bytes into the zeroed storage; reading
    // it as a sockaddr_storage is valid either way.
    let name = unsafe { name.assume_init() };
    let from = crate::driver::icmp::address(&name, message.msg_namelen)
        .ok_or_else(|| io::Error::other("a datagram from an address of no IP family"))?;
    let mut stamp = None;
    // SAFETY: the CMSG macros walk the control buffer recvmsg filled in, bounded by
    // msg_controllen; a header is checked to hold a whole timespec before one is read
    // from it (unaligned, as CMSG_DATA need not be aligned for it).
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            let (level, kind, len) = ((*header).cmsg_level, (*header).cmsg_type, (*header).cmsg_len);
            #[allow(clippy::unnecessary_cast)] // cmsg_len is a size_t on glibc, a socklen_t on musl
            let fits = len as usize >= libc::CMSG_LEN(size_of::<libc::timespec>() as u32) as usize;
            if level == libc::SOL_SOCKET && kind == libc::SCM_TIMESTAMPNS && fits {
                let at: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(header).cast());
                stamp = Some(at);
                break;
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    let waited = stamp.and_then(|at| {
        let at = UNIX_EPOCH + Duration::new(u64::try_from(at.tv_sec).ok()?, u32::try_from(at.tv_nsec).ok()?);
        // A clock stepped back since gives no wait rather than a wrong one.
        SystemTime::now().duration_since(at).ok()
    });
    Ok((read as usize, from, waited))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_datagram_says_how_long_it_waited_in_the_queue() {
        let receiver = crate::driver::socket::bind("127.0.0.1:0".parse().unwrap()).expect("bind");
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        sender.send_to(b"hello", receiver.local_addr().unwrap()).expect("send");
        // It queues for at least this long before it is read.
        std::thread::sleep(Duration::from_millis(150));
        receiver.readable().await.expect("readable");
        let mut buf = [0u8; 64];
        let (len, from, waited) = try_recv(&receiver, &mut buf).expect("a datagram");
        assert_eq!((&buf[..len], from), (&b"hello"[..], sender.local_addr().unwrap()));
        assert!(waited.expect("stamped on arrival") >= Duration::from_millis(150), "{waited:?}");
        assert_eq!(try_recv(&receiver, &mut buf).unwrap_err().kind(), io::ErrorKind::WouldBlock);
    }
}
