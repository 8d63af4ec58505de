//! Linux: the `recvmsg` plumbing the ICMP error queue and the arrival stamps share: an
//! empty message header over the caller's buffers, and finding one control message.

use std::mem::{MaybeUninit, size_of};

/// Control data room: a few `cmsghdr`s and their payloads; u64s for the alignment
/// `cmsghdr` needs.
pub const CONTROL_WORDS: usize = 64;

/// A message header for `recvmsg` that reads the source into `name`, the data into
/// `iov` and the control messages into `control`.
pub fn header(
    name: &mut MaybeUninit<libc::sockaddr_storage>,
    iov: &mut libc::iovec,
    control: &mut [u64; CONTROL_WORDS],
) -> libc::msghdr {
    // SAFETY: an all-zero msghdr is a valid empty one; the pointers set below point to
    // the caller's buffers, with their true sizes, which the caller keeps alive across
    // the recvmsg call.
    let mut message: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    message.msg_name = name.as_mut_ptr().cast();
    message.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    message.msg_iov = iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = size_of::<[u64; CONTROL_WORDS]>() as _;
    message
}

/// The payload of the first control message of one of the (level, type) pairs `kinds`
/// that holds a whole `T`, in a header `recvmsg` filled in.
pub fn find<T>(message: &libc::msghdr, kinds: &[(libc::c_int, libc::c_int)]) -> Option<T> {
    // SAFETY: the CMSG macros walk the control buffer recvmsg filled in, bounded by
    // msg_controllen; a header is checked to hold a whole T before one is read from it
    // (unaligned, as CMSG_DATA need not be aligned for T).
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(message);
        while !header.is_null() {
            let (level, kind, len) = ((*header).cmsg_level, (*header).cmsg_type, (*header).cmsg_len);
            #[allow(clippy::unnecessary_cast)] // cmsg_len is a size_t on glibc, a socklen_t on musl
            let fits = len as usize >= libc::CMSG_LEN(size_of::<T>() as u32) as usize;
            if kinds.contains(&(level, kind)) && fits {
                return Some(std::ptr::read_unaligned(libc::CMSG_DATA(header).cast::<T>()));
            }
            header = libc::CMSG_NXTHDR(message, header);
        }
    }
    None
}
