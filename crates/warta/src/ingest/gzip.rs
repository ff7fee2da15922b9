//! gzip files inflated in one call.
//!
//! A `.gz` file small enough to hold is read whole and inflated by libdeflate, which takes
//! about half the time of flate2's streaming decoder (the CLICK-ID corpus's 15 MB file: 150
//! against 72 ms). Anything else — too big to hold, several gzip members, damaged data — is
//! streamed by flate2 as before ([`inflate_whole`] answers `None`), so what is read, and
//! what is reported about a bad file, does not change.
//!
//! What this holds in memory is bounded for the whole process, whatever the number of
//! reader threads: every buffer takes its size from [`WHOLE_BUDGET`] first ([`Held`]), and a
//! file that does not fit is streamed.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// Compressed files up to this size are read into memory whole (see
/// [`super::small_file_limit`]).
pub const MAX_WHOLE_COMPRESSED: u64 = 16 << 20;
/// ... and inflated in one call when their contents take at most this much; two readers
/// holding one each stay well inside the 150 MB that indexing may use above its budget.
pub const MAX_WHOLE_PLAIN: usize = 64 << 20;

/// Bytes that whole gzip files and their contents may take at once, over all threads.
/// Indexing may use 150 MB above its writer budget: this keeps the whole-file path well
/// inside it (one CLICK-ID file, 15 MB and 46 MB inflated, fits; a second one at the same
/// time is streamed).
pub const WHOLE_BUDGET: usize = 96 << 20;

/// The process's budget for whole gzip files (see [`Held`]).
pub static WHOLE: Budget = Budget::new(WHOLE_BUDGET);

/// A number of bytes that buffers may take at once, shared by threads.
#[derive(Debug)]
pub struct Budget {
    held: AtomicUsize,
    limit: usize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub const fn new(limit: usize) -> Budget {
        Budget {
            held: AtomicUsize::new(0),
            limit,
        }
    }

    /// `bytes` of the budget, or `None` when the buffers held already leave too little.
    pub fn take(&'static self, bytes: usize) -> Option<Held> {
        let mut held = self.held.load(Ordering::Relaxed);
        loop {
            let after = held.checked_add(bytes).filter(|&n| n <= self.limit)?;
            match self
                .held
                .compare_exchange_weak(held, after, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return Some(Held { budget: self, bytes }),
                Err(now) => held = now,
            }
        }
    }
}

/// A share of a [`Budget`], given back when dropped.
#[derive(Debug)]
pub struct Held {
    budget: &'static Budget,
    bytes: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.held.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// libdeflate's decompressor state, freed on drop.
struct Decompressor(NonNull<libdeflate_decompressor>);

impl Decompressor {
    fn new() -> Option<Decompressor> {
        // SAFETY: allocation has no preconditions; a null pointer means it failed.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(Decompressor)
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: the pointer came from libdeflate_alloc_decompressor and is freed once.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

/// The contents of `gz`, a whole gzip file, when it is exactly one complete gzip member
/// whose contents take at most [`MAX_WHOLE_PLAIN`] bytes and fit in what is left of
/// [`WHOLE`] (held until the contents are dropped); `None` otherwise (the caller streams
/// the file instead, which handles several members and reports damage).
pub fn inflate_whole(gz: &[u8]) -> Option<(Vec<u8>, Held)> {
    inflate_within(gz, &WHOLE)
}

/// [`inflate_whole`] within `budget`.
fn inflate_within(gz: &[u8], budget: &'static Budget) -> Option<(Vec<u8>, Held)> {
    // The last four bytes hold the size of the (last) member's contents, modulo 2^32.
    let trailer: [u8; 4] = gz.get(gz.len().checked_sub(4)?..)?.try_into().ok()?;
    let size = u32::from_le_bytes(trailer) as usize;
    if size > MAX_WHOLE_PLAIN || gz.len() < 18 {
        return None;
    }
    if !header_read_alike(gz) {
        return None;
    }
    let held = budget.take(size + 1)?;
    let decompressor = Decompressor::new()?;
    // One spare byte: contents longer than the trailer says (several members, or a size
    // past 4 GiB) do not fit exactly.
    let mut out = vec![0u8; size + 1];
    let (mut read, mut written) = (0usize, 0usize);
    // SAFETY: the pointers and lengths describe `gz` and `out`, both alive and not aliased
    // for the call; libdeflate writes at most `out.len()` bytes and the two counts.
    let result = unsafe {
        libdeflate_gzip_decompress_ex(
            decompressor.0.as_ptr(),
            gz.as_ptr().cast(),
            gz.len(),
            out.as_mut_ptr().cast(),
            out.len(),
            &mut read,
            &mut written,
        )
    };
    // The whole input must be this one member: anything after it is another member or
    // garbage, for the streaming decoder to read or report.
    if result != libdeflate_result_LIBDEFLATE_SUCCESS || read != gz.len() || written != size {
        return None;
    }
    out.truncate(size);
    Some((out, held))
}

/// Whether flate2's streaming decoder and libdeflate read the gzip header alike. They do,
/// except that flate2 checks the optional header CRC (libdeflate skips it) and refuses a
/// file name or comment longer than 65,535 bytes: files with either are streamed, so that
/// a file the stream refuses is still refused.
fn header_read_alike(gz: &[u8]) -> bool {
    const FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    const MAX_FIELD: usize = 65_535;
    let Some(&flags) = gz.get(3) else {
        return false;
    };
    if flags & FHCRC != 0 {
        return false;
    }
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let Some(len) = gz.get(10..12) else {
            return false;
        };
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for field in [FNAME, FCOMMENT] {
        if flags & field != 0 {
            match gz.get(at..).and_then(|rest| memchr::memchr(0, rest)) {
                Some(len) if len <= MAX_FIELD => at += len + 1,
                _ => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn streamed(gz: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(gz).read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn one_member_is_inflated_as_the_streaming_decoder_does() {
        let text = "{\"title\": \"Kim dan Putin\"}\n".repeat(5000);
        let gz = gzip(text.as_bytes());
        assert_eq!(inflate_whole(&gz).unwrap().0, text.as_bytes());
        assert_eq!(inflate_whole(&gzip(b"")).unwrap().0, b"");
    }

    /// What one call cannot read whole is left to the streaming decoder, never half read.
    #[test]
    fn several_members_and_damage_are_left_to_the_stream() {
        let one = gzip(b"first article\n");
        // The same member twice: the trailer matches the first member's contents exactly.
        let twice = [one.clone(), one.clone()].concat();
        assert!(inflate_whole(&twice).is_none());
        assert_eq!(streamed(&twice).unwrap(), b"first article\nfirst article\n");
        let two = [one.clone(), gzip(b"second, longer article\n")].concat();
        assert!(inflate_whole(&two).is_none());
        let mut trailing = one.clone();
        trailing.extend_from_slice(b"garbage");
        assert!(inflate_whole(&trailing).is_none());
        assert!(inflate_whole(&one[..one.len() - 3]).is_none());
        let mut flipped = one.clone();
        flipped[12] ^= 0xff;
        assert!(inflate_whole(&flipped).is_none());
        assert!(inflate_whole(b"not gzip at all, but long enough").is_none());
        assert!(inflate_whole(b"").is_none());
    }

    /// A header the stream refuses (a wrong header CRC, an over-long file name) is left to
    /// the stream, which still refuses it; a short name is read whole.
    #[test]
    fn headers_the_stream_refuses_are_left_to_it() {
        let one = gzip(b"article\n");
        // One member with header fields: FLG, then the fields after the 10-byte header.
        let with_header = |flags: u8, fields: &[u8]| {
            let mut gz = one[..10].to_vec();
            gz[3] = flags;
            gz.extend_from_slice(fields);
            gz.extend_from_slice(&one[10..]);
            gz
        };
        let bad_crc = with_header(0x02, &[0xab, 0xcd]);
        assert!(streamed(&bad_crc).is_err());
        assert!(inflate_whole(&bad_crc).is_none());
        let mut long_name = vec![b'n'; 65_536];
        long_name.push(0);
        let long = with_header(0x08, &long_name);
        assert!(streamed(&long).is_err());
        assert!(inflate_whole(&long).is_none());
        let named = with_header(0x08 | 0x10 | 0x04, b"\x02\x00xyname.jsonl\0a comment\0");
        assert_eq!(streamed(&named).unwrap(), b"article\n");
        assert_eq!(inflate_whole(&named).unwrap().0, b"article\n");
    }

    /// A budget is shared and given back: what does not fit is refused, not over-held, and a
    /// file whose contents do not fit is left to the stream.
    #[test]
    fn a_budget_bounds_what_is_held_at_once() {
        static SMALL: Budget = Budget::new(100);
        let a = SMALL.take(60).unwrap();
        assert!(SMALL.take(41).is_none());
        let b = SMALL.take(40).unwrap();
        assert!(SMALL.take(1).is_none() && SMALL.take(usize::MAX).is_none());
        drop(a);
        let c = SMALL.take(60).unwrap();
        drop((b, c));
        let gz = gzip(&[b'x'; 99]);
        let (text, held) = inflate_within(&gz, &SMALL).unwrap();
        assert_eq!(text, [b'x'; 99]);
        // The contents (and a spare byte) are held until dropped.
        assert!(inflate_within(&gz, &SMALL).is_none());
        drop(held);
        assert!(inflate_within(&gzip(&[b'x'; 100]), &SMALL).is_none());
        assert!(inflate_within(&gz, &SMALL).is_some());
    }

    proptest::proptest! {
        /// Damaged anywhere: what one call reads, the stream reads the same; what it does
        /// not read is left to the stream, whatever that makes of it.
        #[test]
        fn reads_damaged_files_as_the_stream_does_or_not_at_all(
            data in proptest::collection::vec(0u8..4, 1..2000),
            flips in proptest::collection::vec((0usize..4096, 1u8..=255), 1..4),
        ) {
            let mut gz = gzip(&data);
            for (at, x) in flips {
                let i = at % gz.len();
                gz[i] ^= x;
            }
            if let Some((whole, _)) = inflate_whole(&gz) {
                proptest::prop_assert_eq!(streamed(&gz).ok(), Some(whole));
            }
        }

        /// Any contents, cut anywhere: either exactly the contents, or left to the stream.
        #[test]
        fn inflates_exactly_or_not_at_all(data in proptest::collection::vec(0u8..8, 0..3000), cut in 0usize..64) {
            let gz = gzip(&data);
            proptest::prop_assert_eq!(inflate_whole(&gz).map(|(v, _)| v), Some(data));
            let cut = gz.len().saturating_sub(cut);
            if cut < gz.len() {
                proptest::prop_assert!(inflate_whole(&gz[..cut]).is_none());
            }
        }
    }
}
