//! Incremental updates: the original bytes unchanged, then the new and changed objects, a
//! cross-reference section of the same kind as the newest one (table or stream) with /Prev,
//! a trailer, `startxref` and `%%EOF`.

use lopdf::{Dictionary, Object};
use std::collections::BTreeMap;
use std::io::Write;

use crate::doc::{SourcePdf, XrefKind};
use crate::object::{write_dict, write_object};

/// Objects to append, by number (generation 0 for new objects; changed objects keep theirs).
#[derive(Default)]
pub struct Update {
    objects: BTreeMap<u32, (u16, Vec<u8>)>,
    next: u32,
}

/// The bytes to append to the source, and where each object lands in the whole file.
pub struct Written {
    pub tail: Vec<u8>,
    pub offsets: BTreeMap<u32, usize>,
}

impl Update {
    pub fn new(first_free: u32) -> Self {
        Self {
            objects: BTreeMap::new(),
            next: first_free,
        }
    }

    /// A fresh object number.
    pub fn alloc(&mut self) -> (u32, u16) {
        let n = self.next;
        self.next += 1;
        (n, 0)
    }

    pub fn set(&mut self, id: (u32, u16), obj: &Object) {
        let mut body = Vec::new();
        write_object(&mut body, obj);
        self.objects.insert(id.0, (id.1, body));
    }

    /// An object whose serialised body the caller built itself (the signature dictionary,
    /// whose placeholders must be found again).
    pub fn set_raw(&mut self, id: (u32, u16), body: Vec<u8>) {
        self.objects.insert(id.0, (id.1, body));
    }

    /// Serialises the update: the bytes to append to the source (which stays untouched), with
    /// offsets counted from the start of the source.
    pub fn write(mut self, src: &SourcePdf<'_>) -> Written {
        let base = src.bytes.len();
        let mut out = Vec::with_capacity(64 * 1024);
        if !src.bytes.ends_with(b"\n") && !src.bytes.ends_with(b"\r") {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        let xref_stream_id = match src.xref_kind {
            XrefKind::Stream => Some(self.alloc().0),
            XrefKind::Table => None,
        };
        for (num, (generation, body)) in &self.objects {
            offsets.insert(*num, base + out.len());
            let _ = writeln!(out, "{num} {generation} obj");
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let size = self.next.max(src.size);
        let mut trailer = Dictionary::new();
        trailer.set("Size", Object::Integer(i64::from(size)));
        for key in [b"Root".as_slice(), b"Info", b"ID"] {
            if let Ok(v) = src.doc.trailer.get(key) {
                trailer.set(key.to_vec(), v.clone());
            }
        }
        trailer.set("Prev", Object::Integer(src.startxref as i64));
        let generation = |n: &u32| self.objects.get(n).map_or(0, |(g, _)| *g);
        match xref_stream_id {
            None => {
                let xref_at = base + out.len();
                out.extend_from_slice(b"xref\n");
                for run in runs(offsets.keys().copied()) {
                    let _ = writeln!(out, "{} {}", run[0], run.len());
                    for n in run {
                        let _ = write!(out, "{:010} {:05} n\r\n", offsets[&n], generation(&n));
                    }
                }
                out.extend_from_slice(b"trailer\n");
                write_dict(&mut out, &trailer);
                let _ = write!(out, "\nstartxref\n{xref_at}\n%%EOF\n");
            }
            Some(xref_num) => {
                let xref_at = base + out.len();
                offsets.insert(xref_num, xref_at);
                let mut data = Vec::new();
                let mut index = Vec::new();
                for run in runs(offsets.keys().copied()) {
                    index.push(Object::Integer(i64::from(run[0])));
                    index.push(Object::Integer(run.len() as i64));
                    for n in run {
                        data.push(1u8);
                        data.extend_from_slice(&(offsets[&n] as u64).to_be_bytes()[3..]);
                        data.extend_from_slice(&generation(&n).to_be_bytes());
                    }
                }
                trailer.set("Type", "XRef");
                trailer.set("W", vec![1.into(), 5.into(), 2.into()]);
                trailer.set("Index", index);
                trailer.set("Length", Object::Integer(data.len() as i64));
                let _ = writeln!(out, "{xref_num} 0 obj");
                write_dict(&mut out, &trailer);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(&data);
                let _ = write!(out, "\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n");
            }
        }
        Written { tail: out, offsets }
    }
}

/// Consecutive runs of object numbers, for xref subsections.
fn runs(nums: impl Iterator<Item = u32>) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    for n in nums {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|l| *l + 1 == n) => run.push(n),
            _ => out.push(vec![n]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_group_consecutive_numbers() {
        assert_eq!(
            runs([3, 4, 5, 9, 11, 12].into_iter()),
            vec![vec![3, 4, 5], vec![9], vec![11, 12]]
        );
    }
}
