//! git's index file (`.git/index`), read in-process: whether it has an entry for a path.
//! den reads it instead of running git because running git reads the repository's own
//! configuration (`core.fsmonitor` runs a program), which a repository controls.
//!
//! The documented format (git's `Documentation/gitformat-index.txt`), versions 2, 3 and 4
//! (v4's prefix-compressed names), with SHA-1 object names. Whatever this reader cannot
//! vouch for is `None`, "cannot tell", which callers take as tracked: another version, a
//! checksum that does not match (a torn or crafted file, or a SHA-256 repository), a
//! sparse index (a directory entry or `sdir`), a split index (`link`: the entries live in
//! another file), an unknown required extension, any bound exceeded. Never panics, never
//! reads past the bytes it is handed.

use sha1::{Digest, Sha1};

/// A SHA-1 object name and the trailing checksum.
const HASH: usize = 20;
/// ctime, mtime, dev, ino, mode, uid, gid, size (4 bytes each, 40) + object name + flags.
const FIXED: usize = 40 + HASH + 2;
/// The mode of a sparse index's directory entry, and of a submodule (gitlink).
const DIRECTORY: u32 = 0o040000;
const GITLINK: u32 = 0o160000;

/// Whether the index `bytes` has an entry for `path` (a path relative to the work tree,
/// `/`-separated, exact bytes) or for a file below it (`path` names a directory); `None`
/// when the index cannot say.
pub fn contains(bytes: &[u8], path: &[u8]) -> Option<bool> {
    if bytes.len() < 12 + HASH || &bytes[..4] != b"DIRC" {
        return None;
    }
    let version = u32_at(bytes, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let (content, trailer) = bytes.split_at(bytes.len() - HASH);
    // `index.skipHash` writes zeros; otherwise the checksum must hold.
    if trailer.iter().any(|&b| b != 0) && Sha1::digest(content).as_slice() != trailer {
        return None;
    }
    let count = u32_at(bytes, 8)?;
    let mut pos = 12;
    let mut name: Vec<u8> = Vec::new();
    for _ in 0..count {
        let flags = u16_at(content, pos + FIXED - 2)?;
        let mode = u32_at(content, pos + 24)?;
        let extended = flags & 0x4000 != 0;
        if extended && version < 3 {
            return None;
        }
        let header = FIXED + if extended { 2 } else { 0 };
        let start = pos.checked_add(header).filter(|&s| s <= content.len())?;
        pos = if version == 4 {
            let (strip, after) = varint(content, start)?;
            let keep = name.len().checked_sub(usize::try_from(strip).ok()?)?;
            name.truncate(keep);
            let end = nul(content, after)?;
            name.extend_from_slice(&content[after..end]);
            end + 1
        } else {
            let end = nul(content, start)?;
            name.clear();
            name.extend_from_slice(&content[start..end]);
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            let next = pos + ((header + name.len() + 8) & !7);
            if next > content.len() {
                return None;
            }
            next
        };
        let stated = usize::from(flags & 0x0fff);
        if stated < 0x0fff && stated != name.len() {
            return None;
        }
        if mode == DIRECTORY {
            return None;
        }
        let below = |outer: &[u8], inner: &[u8]| {
            inner.len() > outer.len() && inner.starts_with(outer) && inner[outer.len()] == b'/'
        };
        if name == path || below(path, &name) {
            return Some(true);
        }
        // A path inside a submodule: the submodule's own index would know.
        if mode == GITLINK && below(&name, path) {
            return None;
        }
    }
    while pos < content.len() {
        let signature = content.get(pos..pos + 4)?;
        let size = usize::try_from(u32_at(content, pos + 4)?).ok()?;
        let end = pos.checked_add(8)?.checked_add(size).filter(|&e| e <= content.len())?;
        match signature {
            b"link" | b"sdir" => return None,
            _ if !signature[0].is_ascii_uppercase() => return None,
            _ => {}
        }
        pos = end;
    }
    Some(false)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

/// The index of the first NUL at or after `from`.
fn nul(bytes: &[u8], from: usize) -> Option<usize> {
    bytes.get(from..)?.iter().position(|&b| b == 0).map(|i| from + i)
}

/// git's offset varint (v4's "bytes to strip from the previous name"): each byte but the
/// last has its high bit set, and every continuation adds one before shifting.
fn varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut byte = *bytes.get(at)?;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        at += 1;
        byte = *bytes.get(at)?;
        value = value.checked_add(1)?.checked_mul(128)?.checked_add(u64::from(byte & 0x7f))?;
    }
    Some((value, at + 1))
}
