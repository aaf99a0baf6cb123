//! Text encodings other than UTF-8, told by their byte-order mark: UTF-16 and UTF-32 (as
//! Windows tools, PowerShell's `Out-File` and some Excel exports write them) are transcoded
//! to UTF-8 as they stream, so the readers see the same bytes as for a UTF-8 file. Without
//! this every record of such a file was skipped as invalid JSON, silently for the run's exit
//! code. Code units that are not characters (a lone surrogate, a value past U+10FFFF, an odd
//! byte at the end) become U+FFFD, as a UTF-8 decoder's lossy mode would make them.

use std::io::{self, Cursor, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    /// The encoding a byte-order mark at the start of `b` names, and the mark's length.
    fn from_bom(b: &[u8]) -> Option<(Encoding, usize)> {
        // UTF-32LE's mark starts with UTF-16LE's, so it is looked for first.
        if b.starts_with(&[0xFF, 0xFE, 0x00, 0x00]) {
            Some((Encoding::Utf32Le, 4))
        } else if b.starts_with(&[0x00, 0x00, 0xFE, 0xFF]) {
            Some((Encoding::Utf32Be, 4))
        } else if b.starts_with(&[0xFF, 0xFE]) {
            Some((Encoding::Utf16Le, 2))
        } else if b.starts_with(&[0xFE, 0xFF]) {
            Some((Encoding::Utf16Be, 2))
        } else {
            None
        }
    }

    fn unit(self) -> usize {
        match self {
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            Encoding::Utf32Le | Encoding::Utf32Be => 4,
        }
    }
}

/// `inner`, transcoded to UTF-8 when it starts with a UTF-16 or UTF-32 byte-order mark.
pub fn open(mut inner: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut head = [0u8; 4];
    let mut n = 0;
    while n < head.len() {
        match inner.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let Some((encoding, bom)) = Encoding::from_bom(&head[..n]) else {
        return Ok(Box::new(Cursor::new(head[..n].to_vec()).chain(inner)));
    };
    let rest = Cursor::new(head[bom..n].to_vec()).chain(inner);
    Ok(Box::new(Transcode {
        inner: rest,
        encoding,
        raw: Vec::with_capacity(64 << 10),
        pending_high: None,
        out: Vec::new(),
        out_pos: 0,
        done: false,
    }))
}

struct Transcode<R> {
    inner: R,
    encoding: Encoding,
    /// Bytes read but not yet a whole code unit.
    raw: Vec<u8>,
    /// A UTF-16 high surrogate waiting for its low half.
    pending_high: Option<u16>,
    out: Vec<u8>,
    out_pos: usize,
    done: bool,
}

impl<R: Read> Transcode<R> {
    fn push(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.out
            .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }

    /// Decodes the whole code units in `raw` into `out`.
    fn decode(&mut self) {
        let unit = self.encoding.unit();
        let whole = self.raw.len() / unit * unit;
        let raw = std::mem::take(&mut self.raw);
        for u in raw[..whole].chunks_exact(unit) {
            match self.encoding {
                Encoding::Utf16Le | Encoding::Utf16Be => {
                    let v = if self.encoding == Encoding::Utf16Le {
                        u16::from_le_bytes([u[0], u[1]])
                    } else {
                        u16::from_be_bytes([u[0], u[1]])
                    };
                    self.utf16(v);
                }
                Encoding::Utf32Le | Encoding::Utf32Be => {
                    let v = if self.encoding == Encoding::Utf32Le {
                        u32::from_le_bytes([u[0], u[1], u[2], u[3]])
                    } else {
                        u32::from_be_bytes([u[0], u[1], u[2], u[3]])
                    };
                    self.push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
            }
        }
        self.raw = raw;
        self.raw.drain(..whole);
    }

    fn utf16(&mut self, v: u16) {
        match (self.pending_high.take(), v) {
            (Some(high), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(v) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            (pending, _) => {
                if pending.is_some() {
                    self.push(char::REPLACEMENT_CHARACTER);
                }
                match v {
                    0xD800..=0xDBFF => self.pending_high = Some(v),
                    0xDC00..=0xDFFF => self.push(char::REPLACEMENT_CHARACTER),
                    _ => self
                        .push(char::from_u32(u32::from(v)).unwrap_or(char::REPLACEMENT_CHARACTER)),
                }
            }
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.out.clear();
            self.out_pos = 0;
            let start = self.raw.len();
            self.raw.resize(start + (64 << 10), 0);
            let n = loop {
                match self.inner.read(&mut self.raw[start..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.raw.truncate(start + n);
            if n == 0 {
                self.done = true;
                if self.pending_high.take().is_some() || !self.raw.is_empty() {
                    self.raw.clear();
                    self.push(char::REPLACEMENT_CHARACTER);
                }
            } else {
                self.decode();
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: Vec<u8>) -> String {
        let mut out = String::new();
        open(Box::new(Cursor::new(bytes)))
            .and_then(|mut r| r.read_to_string(&mut out))
            .expect("decodes");
        out
    }

    fn utf16(text: &str, little: bool) -> Vec<u8> {
        let mut b = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            b.extend(if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        b
    }

    fn utf32(text: &str, little: bool) -> Vec<u8> {
        let mut b = if little {
            vec![0xFF, 0xFE, 0, 0]
        } else {
            vec![0, 0, 0xFE, 0xFF]
        };
        for c in text.chars() {
            let v = c as u32;
            b.extend(if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            });
        }
        b
    }

    #[test]
    fn utf16_and_utf32_with_a_bom_become_utf8_without_it() {
        let text = "{\"id\": \"é-😀\"}\n{\"id\": 2}\n";
        assert_eq!(decode(utf16(text, true)), text);
        assert_eq!(decode(utf16(text, false)), text);
        assert_eq!(decode(utf32(text, true)), text);
        assert_eq!(decode(utf32(text, false)), text);
        // Long enough to cross the 64 KB reads, with a surrogate pair at odd offsets.
        let long = "😀a".repeat(40_000);
        assert_eq!(decode(utf16(&long, true)), long);
    }

    #[test]
    fn utf8_and_short_inputs_pass_through() {
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()), "\u{feff}{}");
        assert_eq!(decode(b"{}".to_vec()), "{}");
        assert_eq!(decode(b"a".to_vec()), "a");
        assert_eq!(decode(Vec::new()), "");
    }

    #[test]
    fn broken_code_units_become_replacement_characters() {
        // A lone high surrogate, a lone low one, then an odd trailing byte.
        let mut b = vec![0xFF, 0xFE];
        b.extend(0xD800u16.to_le_bytes());
        b.extend(u16::from(b'a').to_le_bytes());
        b.extend(0xDC00u16.to_le_bytes());
        b.push(0x41);
        assert_eq!(decode(b), "\u{fffd}a\u{fffd}\u{fffd}");
    }
}
