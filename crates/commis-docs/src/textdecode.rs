//! Turning the bytes of a plain-text file into a string: BOMs, UTF-16 without BOM,
//! UTF-8, and the Windows-1252 fallback that most Latin-1 files really are.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A decoded text and the encoding it was read as.
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decodes a whole file.
pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    decode_inner(bytes, false)
}

/// Decodes the first bytes of a longer file, which may end inside a UTF-8 sequence.
pub(crate) fn decode_prefix(bytes: &[u8]) -> Decoded {
    decode_inner(bytes, true)
}

fn decode_inner(bytes: &[u8], is_prefix: bool) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let name = if enc == UTF_8 {
            "UTF-8 (BOM)"
        } else {
            enc.name()
        };
        return Decoded {
            text: text.into_owned(),
            encoding: name,
        };
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded {
            text: s.to_string(),
            encoding: "UTF-8",
        },
        // A sample cut in the middle of a multi-byte character is still UTF-8.
        Err(e) if is_prefix && e.valid_up_to() + 4 >= bytes.len() && e.error_len().is_none() => {
            Decoded {
                text: String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
                encoding: "UTF-8",
            }
        }
        Err(_) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
            Decoded {
                text: text.into_owned(),
                encoding: "windows-1252",
            }
        }
    }
}

/// UTF-16 text of Latin script has a zero byte in every other position.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let n = bytes.len().min(4096) & !1;
    if n < 4 {
        return None;
    }
    let pairs = n / 2;
    let even_zero = bytes[..n].iter().step_by(2).filter(|b| **b == 0).count();
    let odd_zero = bytes[1..n].iter().step_by(2).filter(|b| **b == 0).count();
    if odd_zero * 10 > pairs * 7 && even_zero * 10 < pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 > pairs * 7 && odd_zero * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Text has few control characters; binary data has many.
pub(crate) fn looks_like_text(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(16 * 1024) {
        total += 1;
        if (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) || c == '\u{fffd}' {
            control += 1;
        }
    }
    total == 0 || control * 100 <= total * 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        assert_eq!(decode("é".as_bytes()).encoding, "UTF-8");
        assert_eq!(decode(b"\xef\xbb\xbfa").text, "a");
        assert_eq!(decode(b"caf\xe9").text, "café");
        let le: Vec<u8> = "hello, world"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&le).text, "hello, world");
        let be: Vec<u8> = "hello, world"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&be).text, "hello, world");
    }

    #[test]
    fn binary_is_not_text() {
        assert!(looks_like_text("plain text\nwith lines\t"));
        assert!(!looks_like_text("\u{0}\u{1}\u{2}\u{3}ab"));
    }
}
