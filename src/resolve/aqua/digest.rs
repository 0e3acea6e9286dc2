//! Reading a digest out of a checksum file the registry names: `<hash>  <name>` lines
//! (sha256sum's, with `*` for binary mode and a `./` prefix tolerated), or a file holding
//! only the hash. Never guesses: a file that names other files only answers `None`.

/// The hex digest of `file_name` in `text`, for a hash of `hex_len` characters.
pub fn find(text: &str, file_name: &str, hex_len: usize) -> Option<String> {
    let is_hash = |w: &str| w.len() == hex_len && w.chars().all(|c| c.is_ascii_hexdigit());
    let words: Vec<&str> = text.split_whitespace().collect();
    if let [one] = words.as_slice() {
        return is_hash(one).then(|| one.to_ascii_lowercase());
    }
    if let [hash, name] = words.as_slice()
        && is_hash(hash)
        && !name.contains('/')
        && text.lines().filter(|l| !l.trim().is_empty()).count() == 1
        && name.trim_start_matches('*') == file_name
    {
        return Some(hash.to_ascii_lowercase());
    }
    text.lines().find_map(|line| {
        let mut parts = line.split_whitespace();
        let (hash, name) = (parts.next()?, parts.next()?);
        let name = name.trim_start_matches('*').trim_start_matches("./");
        (is_hash(hash) && name == file_name && parts.next().is_none()).then(|| hash.to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    #[test]
    fn lines_and_single_hashes() {
        let list = format!("{A}  tool_linux_amd64.tar.gz\n{B} *tool_darwin_arm64.tar.gz\n");
        assert_eq!(find(&list, "tool_linux_amd64.tar.gz", 64).as_deref(), Some(A));
        assert_eq!(find(&list, "tool_darwin_arm64.tar.gz", 64), Some(B.to_ascii_lowercase()));
        assert_eq!(find(&list, "tool_windows_amd64.zip", 64), None);
        assert_eq!(find(&format!("{A}\n"), "anything", 64).as_deref(), Some(A));
        assert_eq!(find(&format!("{A}  ./x.tgz\n"), "x.tgz", 64).as_deref(), Some(A));
        assert_eq!(find("not a hash\n", "x", 64), None);
        assert_eq!(find(&format!("{A}  other\n"), "x", 64), None);
        assert_eq!(find(&format!("{A}{A}  x\n"), "x", 128), Some(format!("{A}{A}")));
    }
}
