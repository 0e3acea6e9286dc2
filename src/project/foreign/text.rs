//! The text of a foreign file: bytes to a string (a UTF-8 byte-order mark dropped, UTF-16
//! with its mark decoded) and the meaningful lines of a one-version file (CR and blanks
//! trimmed, `#` comments dropped, surrounding quotes stripped). Never fails on any input:
//! what is not text is an error sentence for the caller to report.

/// The file's text, or why it is not text den reads.
pub fn decode(bytes: &[u8]) -> Result<String, &'static str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|_| "it is not valid UTF-8 text");
    }
    let be = match bytes {
        [0xFF, 0xFE, ..] => false,
        [0xFE, 0xFF, ..] => true,
        _ => return String::from_utf8(bytes.to_vec()).map_err(|_| "it is not UTF-8 or UTF-16 text"),
    };
    let body = &bytes[2..];
    if !body.len().is_multiple_of(2) {
        return Err("it is cut in the middle of a UTF-16 character");
    }
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if be { u16::from_be_bytes(pair) } else { u16::from_le_bytes(pair) }
    });
    char::decode_utf16(units).collect::<Result<String, _>>().map_err(|_| "it is not valid UTF-16 text")
}

/// `text` without a `#` comment and surrounding blanks (CR included).
pub fn uncomment(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

/// The lines that say something: 1-based number and text without comment, blanks or
/// surrounding quotes.
pub fn meaningful(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, unquote(uncomment(l)))).filter(|(_, l)| !l.is_empty())
}

/// `"22"` or `'22'` → `22`; anything else as it is.
pub fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner.trim();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, be: bool) -> Vec<u8> {
        let mut out = if be { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
        for u in text.encode_utf16() {
            out.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        out
    }

    #[test]
    fn byte_order_marks() {
        assert_eq!(decode(b"\xEF\xBB\xBF22\n").unwrap(), "22\n");
        assert_eq!(decode(&utf16("v20.1.0\r\n", false)).unwrap(), "v20.1.0\r\n");
        assert_eq!(decode(&utf16("3.12 é\n", true)).unwrap(), "3.12 é\n");
        assert_eq!(
            decode(b"\xFF\xFE2\x00\x00").unwrap_err(),
            "it is cut in the middle of a UTF-16 character"
        );
        assert_eq!(decode(b"\xFF\xFE\x00\xD8").unwrap_err(), "it is not valid UTF-16 text");
        assert_eq!(decode(b"\x89PNG\r\n\x1a\n\xff").unwrap_err(), "it is not UTF-8 or UTF-16 text");
        assert_eq!(decode(b"").unwrap(), "");
    }

    #[test]
    fn meaningful_lines() {
        let lines: Vec<_> = meaningful("# node\r\n\n  \"v20\" # lts\r\n'22'\n#x\n\"\n").collect();
        assert_eq!(lines, [(3, "v20"), (4, "22"), (6, "\"")]);
    }
}
