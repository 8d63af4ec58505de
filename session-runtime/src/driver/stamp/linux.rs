//! Linux: `SO_TIMESTAMPNS` and `recvmsg` with its `SCM_TIMESTAMPNS` control message.

use std::io;
use std::mem::{MaybeUninit, size_of};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::Interest;
use tokio::net::UdpSocket;

use crate::driver::cmsg;

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

fn recv_one(fd: RawFd, buf: &mut [u8]) -> io::Result<(usize, SocketAddr, Option<Duration>)> {
    let mut name = MaybeUninit::<libc::sockaddr_storage>::zeroed();
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    let mut control = [0u64; cmsg::CONTROL_WORDS];
    let mut message = cmsg::header(&mut name, &mut iov, &mut control);
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
    let stamp: Option<libc::timespec> = cmsg::find(&message, &[(libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS)]);
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
        let sent = std::time::Instant::now();
        sender.send_to(b"hello", receiver.local_addr().unwrap()).expect("send");
        // It queues for about this long before it is read (the kernel may stamp it a
        // little after the send, when its softirq delivers it).
        std::thread::sleep(Duration::from_millis(150));
        receiver.readable().await.expect("readable");
        let mut buf = [0u8; 64];
        let (len, from, waited) = try_recv(&receiver, &mut buf).expect("a datagram");
        assert_eq!((&buf[..len], from), (&b"hello"[..], sender.local_addr().unwrap()));
        let waited = waited.expect("stamped on arrival");
        // Stamped between the send and the read (give or take the two clocks' drift).
        assert!(waited <= sent.elapsed() + Duration::from_millis(5), "{waited:?}");
        assert!(waited >= Duration::from_millis(1), "{waited:?}: the wait in the queue is seen");
        assert_eq!(try_recv(&receiver, &mut buf).unwrap_err().kind(), io::ErrorKind::WouldBlock);
    }
}
