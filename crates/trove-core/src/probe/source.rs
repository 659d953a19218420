//! Random access to the bytes being probed, from a file or from memory, through a small cached
//! window: parsers hop from header to header, and most hops land in the window already read.

use std::cell::RefCell;
use std::io::{Read, Seek, SeekFrom};

/// How much is read at once when a read falls outside the cached window.
const WINDOW: usize = 64 * 1024;

/// Bytes that can be read at any offset.
pub trait Bytes {
    fn size(&self) -> u64;
    /// Reads up to `buf.len()` bytes at `offset`; fewer only at the end.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
}

impl Bytes for &[u8] {
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

/// A file and its length at the time it was opened.
pub struct FileBytes {
    pub file: std::fs::File,
    pub len: u64,
}

impl Bytes for FileBytes {
    fn size(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut file = &self.file;
        file.seek(SeekFrom::Start(offset))?;
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        Ok(filled)
    }
}

/// The probe's view of the bytes: bounded reads, remembered I/O errors, a cached window.
pub struct Source<'a> {
    bytes: &'a dyn Bytes,
    window: RefCell<(u64, Vec<u8>)>,
    error: RefCell<Option<std::io::Error>>,
}

impl<'a> Source<'a> {
    pub fn new(bytes: &'a dyn Bytes) -> Source<'a> {
        Source {
            bytes,
            window: RefCell::new((0, Vec::new())),
            error: RefCell::new(None),
        }
    }

    pub fn size(&self) -> u64 {
        self.bytes.size()
    }

    /// Exactly `len` bytes at `offset`, or `None` when the file ends first (or cannot be read; the
    /// error is kept for [`Source::take_error`]).
    pub fn read(&self, offset: u64, len: usize) -> Option<Vec<u8>> {
        let end = offset.checked_add(len as u64)?;
        if end > self.size() {
            return None;
        }
        {
            let window = self.window.borrow();
            let (start, data) = (&window.0, &window.1);
            if offset >= *start && end <= start + data.len() as u64 {
                let from = (offset - start) as usize;
                return Some(data[from..from + len].to_vec());
            }
        }
        let mut data = vec![0; len.max(WINDOW).min((self.size() - offset) as usize)];
        match self.bytes.read_at(offset, &mut data) {
            Ok(n) if n >= len => {
                data.truncate(n);
                let wanted = data[..len].to_vec();
                *self.window.borrow_mut() = (offset, data);
                Some(wanted)
            }
            Ok(_) => None,
            Err(error) => {
                *self.error.borrow_mut() = Some(error);
                None
            }
        }
    }

    pub fn u8_at(&self, offset: u64) -> Option<u8> {
        self.read(offset, 1).map(|b| b[0])
    }

    pub fn be_u32(&self, offset: u64) -> Option<u32> {
        self.read(offset, 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn le_u32(&self, offset: u64) -> Option<u32> {
        self.read(offset, 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// An I/O error met while reading, if any (a read past the end is not an error).
    pub fn take_error(&self) -> Option<std::io::Error> {
        self.error.borrow_mut().take()
    }
}

/// Big-endian integers from a slice, `None` past its end.
pub fn be(bytes: &[u8], offset: usize, width: usize) -> Option<u64> {
    let slice = bytes.get(offset..offset.checked_add(width)?)?;
    Some(slice.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_by_the_end() {
        let data: Vec<u8> = (0..200u8).collect();
        let slice = data.as_slice();
        let source = Source::new(&slice);
        assert_eq!(source.read(10, 3), Some(vec![10, 11, 12]));
        assert_eq!(source.read(198, 2), Some(vec![198, 199]));
        assert_eq!(source.read(199, 2), None);
        assert_eq!(source.read(u64::MAX, 2), None);
        assert_eq!(be(&[1, 2, 3], 1, 2), Some(0x0203));
        assert_eq!(be(&[1, 2, 3], 2, 2), None);
    }
}
