//! Where a document's bytes are while it is signed.
//!
//! The engine does no I/O of its own: a caller hands it a [`Store`] (a `Vec<u8>` in memory, or
//! a file the caller wraps), and signing appends the new revision to it. Reading goes through a
//! [`Source`]: the whole slice for a document in memory, or an [`Image`] of a store that reads
//! only the blocks the reader asks for — the cross-reference data, the objects, the bodies of
//! object streams — and never the content streams, images and fonts that make up most of a
//! large file. The digest is then taken in one streaming pass over the store
//! ([`hash_ranges`]), so a 12 MB scan is never held in memory.

use std::io;

use signet_pki::sign::DocumentHasher;

use crate::error::PdfError;

/// A document's bytes, read and extended in place. `Vec<u8>` is one; a caller wraps a file in
/// another (positional reads and writes, so no cursor is shared).
pub trait Store {
    /// The number of bytes the document has.
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fills `buf` from `offset` (all of it, or an error).
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Overwrites bytes that exist (the signature value in its placeholder).
    fn write_all_at(&mut self, bytes: &[u8], offset: u64) -> io::Result<()>;
    /// Appends a revision.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Cuts the document back to `len` bytes (undoing an append that could not be finished).
    fn truncate(&mut self, len: u64) -> io::Result<()>;
    /// The whole document, when it is in memory anyway (then nothing is read through
    /// [`read_exact_at`](Store::read_exact_at)).
    fn as_slice(&self) -> Option<&[u8]> {
        None
    }
    /// How many bytes to read at once when only parts of the document are needed; a
    /// document of up to four blocks is read whole.
    fn read_block(&self) -> usize {
        64 * 1024
    }
}

impl Store for Vec<u8> {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| past_end())?;
        let end = start.checked_add(buf.len()).ok_or_else(past_end)?;
        buf.copy_from_slice(self.get(start..end).ok_or_else(past_end)?);
        Ok(())
    }

    fn write_all_at(&mut self, bytes: &[u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| past_end())?;
        let end = start.checked_add(bytes.len()).ok_or_else(past_end)?;
        self.get_mut(start..end)
            .ok_or_else(past_end)?
            .copy_from_slice(bytes);
        Ok(())
    }

    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn truncate(&mut self, len: u64) -> io::Result<()> {
        Vec::truncate(self, usize::try_from(len).map_err(|_| past_end())?);
        Ok(())
    }

    fn as_slice(&self) -> Option<&[u8]> {
        Some(self)
    }
}

fn past_end() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "past the end of the document")
}

/// The bytes the reader parses. Offsets are the document's own; a byte the reader has not
/// asked for may read as zero (white space to a PDF parser), so the reader asks with
/// [`ensure`](Source::ensure) first and trusts a parse only while it stayed inside
/// [`loaded_end`](Source::loaded_end).
pub trait Source {
    /// The whole document's length, loaded or not.
    fn bytes(&self) -> &[u8];
    /// Makes `from..to` (clamped to the document) readable.
    fn ensure(&mut self, from: usize, to: usize) -> Result<(), PdfError>;
    /// The end of the loaded run of bytes that starts at `from`.
    fn loaded_end(&self, from: usize) -> usize;
    /// How much a parse asks for at first (it asks for more when it needs more).
    fn first_window(&self) -> usize {
        4096
    }
}

/// A document held whole in memory: everything is loaded.
pub struct Whole<'b>(pub &'b [u8]);

impl Source for Whole<'_> {
    fn bytes(&self) -> &[u8] {
        self.0
    }

    fn ensure(&mut self, _from: usize, _to: usize) -> Result<(), PdfError> {
        Ok(())
    }

    fn loaded_end(&self, _from: usize) -> usize {
        self.0.len()
    }
}

/// A store seen as the reader sees it: a buffer as long as the document whose blocks are read
/// from the store when first asked for. The buffer starts zeroed and is never written where
/// nothing was asked for, so the pages of a large image the reader skips are never touched.
pub struct Image<'s, S: Store + ?Sized> {
    store: &'s S,
    buf: Vec<u8>,
    block: usize,
    loaded: Vec<bool>,
}

impl<'s, S: Store + ?Sized> Image<'s, S> {
    /// Reads in the store's [`read_block`](Store::read_block)s; a document of up to four
    /// blocks is read at once (a few reads cost more than one).
    pub fn new(store: &'s S) -> Result<Self, PdfError> {
        let block = store.read_block().max(1);
        Self::with_blocks(store, block, block.saturating_mul(4))
    }

    /// As [`new`](Self::new), reading `block` bytes at a time and documents up to
    /// `read_whole` bytes at once (tests read in tiny blocks to put every parse on a border).
    pub fn with_blocks(store: &'s S, block: usize, read_whole: usize) -> Result<Self, PdfError> {
        let len = usize::try_from(store.len())
            .map_err(|_| PdfError::Unreadable("the document is too large".into()))?;
        let block = block.max(1);
        let mut image = Self {
            store,
            buf: vec![0; len],
            block,
            loaded: vec![false; len.div_ceil(block)],
        };
        if len <= read_whole {
            image.ensure(0, len)?;
        }
        Ok(image)
    }
}

impl<S: Store + ?Sized> Source for Image<'_, S> {
    fn bytes(&self) -> &[u8] {
        &self.buf
    }

    fn ensure(&mut self, from: usize, to: usize) -> Result<(), PdfError> {
        let to = to.min(self.buf.len());
        if from >= to {
            return Ok(());
        }
        let block = self.block;
        let (first, last) = (from / block, (to - 1) / block);
        let mut b = first;
        while b <= last {
            if self.loaded[b] {
                b += 1;
                continue;
            }
            // One read for each run of missing blocks.
            let mut e = b;
            while e < last && !self.loaded[e + 1] {
                e += 1;
            }
            let start = b * block;
            let end = ((e + 1) * block).min(self.buf.len());
            self.store
                .read_exact_at(&mut self.buf[start..end], start as u64)
                .map_err(PdfError::Storage)?;
            self.loaded[b..=e].iter_mut().for_each(|l| *l = true);
            b = e + 1;
        }
        Ok(())
    }

    fn loaded_end(&self, from: usize) -> usize {
        let mut b = from / self.block;
        while self.loaded.get(b).copied().unwrap_or(false) {
            b += 1;
        }
        (b * self.block).min(self.buf.len()).max(from)
    }

    fn first_window(&self) -> usize {
        self.block
    }
}

/// Feeds `ranges` of the store to `hasher` in order, through one small buffer.
pub fn hash_ranges<S: Store + ?Sized>(
    store: &S,
    ranges: &[(u64, u64)],
    hasher: &mut DocumentHasher,
) -> Result<(), PdfError> {
    if let Some(bytes) = store.as_slice() {
        for &(start, end) in ranges {
            let range = usize::try_from(start)
                .ok()
                .zip(usize::try_from(end).ok())
                .and_then(|(s, e)| bytes.get(s..e))
                .ok_or_else(|| PdfError::Storage(past_end()))?;
            hasher.update(range);
        }
        return Ok(());
    }
    const CHUNK: usize = 256 * 1024;
    let mut buf = vec![0u8; CHUNK];
    for &(start, end) in ranges {
        let mut at = start;
        while at < end {
            let n = usize::try_from(end - at).map_or(CHUNK, |n| n.min(CHUNK));
            store
                .read_exact_at(&mut buf[..n], at)
                .map_err(PdfError::Storage)?;
            hasher.update(&buf[..n]);
            at += n as u64;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: usize = 64 * 1024;

    /// A store that counts the bytes read from it.
    struct Counting {
        data: Vec<u8>,
        read: std::cell::Cell<usize>,
    }

    impl Store for Counting {
        fn len(&self) -> u64 {
            self.data.len() as u64
        }
        fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
            self.read.set(self.read.get() + buf.len());
            self.data.read_exact_at(buf, offset)
        }
        fn write_all_at(&mut self, bytes: &[u8], offset: u64) -> io::Result<()> {
            self.data.write_all_at(bytes, offset)
        }
        fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
            Store::append(&mut self.data, bytes)
        }
        fn truncate(&mut self, len: u64) -> io::Result<()> {
            Store::truncate(&mut self.data, len)
        }
    }

    #[test]
    fn an_image_reads_only_the_blocks_asked_for() {
        let data: Vec<u8> = (0..10 * BLOCK + 5).map(|i| (i % 251) as u8).collect();
        let store = Counting {
            data: data.clone(),
            read: Default::default(),
        };
        let mut image = Image::new(&store).unwrap();
        assert_eq!(store.read.get(), 0);
        image.ensure(3 * BLOCK + 10, 3 * BLOCK + 20).unwrap();
        assert_eq!(store.read.get(), BLOCK);
        assert_eq!(
            &image.bytes()[3 * BLOCK..4 * BLOCK],
            &data[3 * BLOCK..4 * BLOCK]
        );
        assert_eq!(image.loaded_end(3 * BLOCK + 10), 4 * BLOCK);
        assert_eq!(image.loaded_end(5 * BLOCK), 5 * BLOCK);
        // A run of missing blocks is one read; loaded blocks are not read again.
        image.ensure(2 * BLOCK, 6 * BLOCK).unwrap();
        assert_eq!(store.read.get(), 4 * BLOCK);
        // The short last block.
        image.ensure(10 * BLOCK, usize::MAX).unwrap();
        assert_eq!(image.loaded_end(9 * BLOCK), 9 * BLOCK);
        assert_eq!(image.loaded_end(10 * BLOCK), data.len());
        assert_eq!(&image.bytes()[10 * BLOCK..], &data[10 * BLOCK..]);
    }

    #[test]
    fn small_documents_are_read_whole() {
        let store = vec![7u8; 1000];
        let image = Image::new(&store).unwrap();
        assert_eq!(image.loaded_end(0), 1000);
        assert_eq!(image.bytes(), &store[..]);
    }

    #[test]
    fn ranges_hash_as_the_bytes_they_cover() {
        let data: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let alg = signet_pki::sign::KeyAlgorithm::EcdsaP256;
        let mut streamed = DocumentHasher::new(alg);
        hash_ranges(&data, &[(0, 300_001), (300_500, 700_000)], &mut streamed).unwrap();
        let mut whole = DocumentHasher::new(alg);
        whole.update(&data[..300_001]);
        whole.update(&data[300_500..]);
        assert_eq!(streamed.finalize(), whole.finalize());
    }
}
