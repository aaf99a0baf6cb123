//! Transparent decompression, decided by magic bytes rather than the file name so that stdin
//! and misnamed files work too.

use std::io::{self, Cursor, Read};

const GZIP: [u8; 2] = [0x1f, 0x8b];
const ZSTD: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Wraps `inner` in a gzip or zstd decoder when its first bytes say so.
pub fn open(mut inner: impl Read + Send + 'static) -> io::Result<Box<dyn Read + Send>> {
    let mut magic = [0u8; 4];
    let mut n = 0;
    // A pipe may deliver fewer than four bytes per read.
    while n < magic.len() {
        match inner.read(&mut magic[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let prefix = Cursor::new(magic[..n].to_vec()).chain(inner);
    Ok(if magic[..n].starts_with(&GZIP) {
        // Multi-member: `cat a.gz b.gz`, pigz and bgzip output are several gzip members.
        Box::new(flate2::read::MultiGzDecoder::new(prefix))
    } else if magic[..n] == ZSTD {
        Box::new(zstd::stream::read::Decoder::new(prefix)?)
    } else {
        Box::new(prefix)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(bytes: Vec<u8>) -> String {
        let mut out = String::new();
        open(Cursor::new(bytes))
            .and_then(|mut r| r.read_to_string(&mut out))
            .expect("decodes");
        out
    }

    #[test]
    fn plain_gzip_multi_member_gzip_and_zstd() {
        let text = "{\"id\": 1}\n{\"id\": 2}\n";
        assert_eq!(read_all(text.as_bytes().to_vec()), text);
        assert_eq!(read_all(b"ab".to_vec()), "ab", "shorter than the magic");
        assert_eq!(read_all(Vec::new()), "");

        let gz = |s: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(s.as_bytes()).expect("compress");
            e.finish().expect("finish")
        };
        assert_eq!(read_all(gz(text)), text);
        let mut two = gz("{\"id\": 1}\n");
        two.extend(gz("{\"id\": 2}\n"));
        assert_eq!(read_all(two), text);

        let zst = zstd::stream::encode_all(text.as_bytes(), 1).expect("compress");
        assert_eq!(read_all(zst), text);
    }

    #[test]
    fn corrupt_gzip_is_a_read_error() {
        let mut bytes = GZIP.to_vec();
        bytes.extend_from_slice(b"not deflate at all");
        let mut out = String::new();
        let r = open(Cursor::new(bytes)).and_then(|mut r| r.read_to_string(&mut out));
        assert!(r.is_err());
    }
}
