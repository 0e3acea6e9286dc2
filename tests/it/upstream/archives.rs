//! Archives built in memory, in every format den unpacks, from a list of entries: real
//! tarballs (with directory entries, modes, symlinks), zips, wheels, npm tarballs and bare
//! executables. The "binaries" are shell scripts, so an installed tool can really be run.
//! Malicious entries (`../x`, `/abs`, link escapes) are written byte for byte, bypassing
//! the archive libraries' own path checks. Never touches the file system.

use std::collections::BTreeSet;
use std::io::{Cursor, Write};

use sha2::{Digest, Sha256};

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File(Vec<u8>),
    Dir,
    /// A symbolic link to this target (written as given: may be absolute or escape).
    Symlink(String),
    /// A hard link to another entry's path (written as given).
    Hardlink(String),
}

/// One archive member: its path exactly as written in the archive, kind and unix mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
}

impl Entry {
    /// A regular file.
    pub fn file(path: &str, content: impl AsRef<[u8]>, mode: u32) -> Entry {
        Entry { path: path.into(), kind: Kind::File(content.as_ref().to_vec()), mode }
    }

    /// An executable file (mode 0755).
    pub fn exe(path: &str, content: impl AsRef<[u8]>) -> Entry {
        Entry::file(path, content, 0o755)
    }

    pub fn dir(path: &str) -> Entry {
        Entry { path: path.into(), kind: Kind::Dir, mode: 0o755 }
    }

    pub fn symlink(path: &str, target: &str) -> Entry {
        Entry { path: path.into(), kind: Kind::Symlink(target.into()), mode: 0o777 }
    }

    pub fn hardlink(path: &str, target: &str) -> Entry {
        Entry { path: path.into(), kind: Kind::Hardlink(target.into()), mode: 0o644 }
    }

    /// The same entry under `prefix/` (an archive's top directory).
    pub fn under(&self, prefix: &str) -> Entry {
        Entry { path: format!("{prefix}/{}", self.path), ..self.clone() }
    }
}

/// Anything the builder API accepts as an entry: `("bin/jq", script, 0o755)` or an [`Entry`].
pub trait AsEntry {
    fn to_entry(&self) -> Entry;
}

impl AsEntry for Entry {
    fn to_entry(&self) -> Entry {
        self.clone()
    }
}

impl AsEntry for (&str, &str, u32) {
    fn to_entry(&self) -> Entry {
        Entry::file(self.0, self.1, self.2)
    }
}

impl AsEntry for (&str, String, u32) {
    fn to_entry(&self) -> Entry {
        Entry::file(self.0, &self.1, self.2)
    }
}

impl AsEntry for (&str, &[u8], u32) {
    fn to_entry(&self) -> Entry {
        Entry::file(self.0, self.1, self.2)
    }
}

/// Converts a slice of entry-likes.
pub fn entries<E: AsEntry>(list: &[E]) -> Vec<Entry> {
    list.iter().map(AsEntry::to_entry).collect()
}

/// A shell script standing in for a real binary: prints `output` and exits 0
/// (`script("jq-1.7.1")` is `#!/bin/sh\necho "jq-1.7.1"\n`).
pub fn script(output: &str) -> String {
    format!("#!/bin/sh\necho \"{output}\"\n")
}

/// The archive formats, by their file-name suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    TarGz,
    TarXz,
    TarZst,
    TarBz2,
    Zip,
    /// A single gzip-compressed file (rust-analyzer's `.gz`): the first entry's content.
    Gz,
    /// The first entry's content as is.
    Binary,
}

impl Format {
    /// The format a real upstream's file name implies (`.tgz` and `.whl` included).
    pub fn from_name(name: &str) -> Format {
        let n = name.to_ascii_lowercase();
        if n.ends_with(".tar.gz") || n.ends_with(".tgz") {
            Format::TarGz
        } else if n.ends_with(".tar.xz") || n.ends_with(".txz") {
            Format::TarXz
        } else if n.ends_with(".tar.zst") || n.ends_with(".tzst") {
            Format::TarZst
        } else if n.ends_with(".tar.bz2") || n.ends_with(".tbz2") {
            Format::TarBz2
        } else if n.ends_with(".zip") || n.ends_with(".whl") {
            Format::Zip
        } else if n.ends_with(".gz") {
            Format::Gz
        } else {
            Format::Binary
        }
    }

    /// The `Content-Type` the real hosts send for it.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::TarGz | Format::Gz => "application/gzip",
            Format::TarXz => "application/x-xz",
            Format::TarZst => "application/zstd",
            Format::TarBz2 => "application/x-bzip2",
            Format::Zip => "application/zip",
            Format::Binary => "application/octet-stream",
        }
    }
}

/// Builds the archive `name` (format from its suffix) holding `entries`; tarballs and zips
/// get the directory entries real packers write.
pub fn build(name: &str, entries: &[Entry]) -> Vec<u8> {
    build_as(Format::from_name(name), entries)
}

/// Builds `entries` in `format`.
pub fn build_as(format: Format, entries: &[Entry]) -> Vec<u8> {
    match format {
        Format::TarGz => gzip(&tar(&with_dirs(entries))),
        Format::TarXz => {
            let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 6);
            enc.write_all(&tar(&with_dirs(entries))).unwrap();
            enc.finish().unwrap()
        }
        Format::TarZst => zstd::stream::encode_all(&tar(&with_dirs(entries))[..], 3).unwrap(),
        Format::TarBz2 => {
            let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            enc.write_all(&tar(&with_dirs(entries))).unwrap();
            enc.finish().unwrap()
        }
        Format::Zip => zip(&with_dirs(entries)),
        Format::Gz => gzip(first_content(entries)),
        Format::Binary => first_content(entries).to_vec(),
    }
}

fn first_content(entries: &[Entry]) -> &[u8] {
    match entries.first().map(|e| &e.kind) {
        Some(Kind::File(data)) => data,
        _ => panic!("a single-file artifact needs one file entry"),
    }
}

/// gzip of `data` (mtime 0, so the bytes are stable).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// The parent directories of every safe entry, each once, before the entries (never over
/// an entry of the list itself, so a symlink stays a symlink).
fn with_dirs(entries: &[Entry]) -> Vec<Entry> {
    let mut seen: BTreeSet<String> = entries.iter().map(|e| e.path.clone()).collect();
    let mut out = Vec::new();
    for e in entries {
        if !e.path.starts_with('/') && !e.path.split('/').any(|c| c == "..") {
            let parts: Vec<&str> = e.path.split('/').collect();
            for i in 1..parts.len() {
                let dir = parts[..i].join("/");
                if seen.insert(dir.clone()) {
                    out.push(Entry::dir(&dir));
                }
            }
        }
        out.push(e.clone());
    }
    out
}

/// A ustar/GNU tarball; names and link names up to 100 bytes are written verbatim.
pub fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(e.mode);
        h.set_mtime(1_700_000_000);
        h.set_uid(1000);
        h.set_gid(1000);
        let (kind, data, link): (tar::EntryType, &[u8], Option<&str>) = match &e.kind {
            Kind::File(d) => (tar::EntryType::Regular, d, None),
            Kind::Dir => (tar::EntryType::Directory, &[], None),
            Kind::Symlink(t) => (tar::EntryType::Symlink, &[], Some(t)),
            Kind::Hardlink(t) => (tar::EntryType::Link, &[], Some(t)),
        };
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        let path = if kind == tar::EntryType::Directory { format!("{}/", e.path) } else { e.path.clone() };
        if let Some(link) = link {
            assert!(link.len() <= 100, "link target too long for the test tar writer: {link}");
            h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        if path.len() <= 100 {
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, data).unwrap();
        } else {
            b.append_data(&mut h, &path, data).unwrap();
        }
    }
    b.into_inner().unwrap()
}

/// A zip with unix modes (symlinks as zip symlinks; hard links do not exist in zip and
/// are written as regular files holding the target path).
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for e in entries {
        let opts = base.unix_permissions(e.mode);
        match &e.kind {
            Kind::File(data) => {
                w.start_file(&e.path, opts).unwrap();
                w.write_all(data).unwrap();
            }
            Kind::Dir => w.add_directory(format!("{}/", e.path), opts).unwrap(),
            Kind::Symlink(t) => w.add_symlink(&e.path, t, opts).unwrap(),
            Kind::Hardlink(t) => {
                w.start_file(&e.path, opts).unwrap();
                w.write_all(t.as_bytes()).unwrap();
            }
        }
    }
    w.finish().unwrap().into_inner()
}

/// A wheel: the given entries plus `{dist}-{version}.dist-info/{METADATA,WHEEL,RECORD}`
/// as real wheels carry them (RECORD with urlsafe-base64 sha256 and sizes).
pub fn wheel(name: &str, version: &str, tag: &str, entries: &[Entry]) -> Vec<u8> {
    use base64::Engine;
    let dist = name.replace('-', "_");
    let info = format!("{dist}-{version}.dist-info");
    let mut all = entries.to_vec();
    all.push(Entry::file(
        &format!("{info}/METADATA"),
        format!("Metadata-Version: 2.3\nName: {name}\nVersion: {version}\nRequires-Python: >=3.7\n"),
        0o644,
    ));
    let root_is_purelib = if tag.contains("-none-any") { "true" } else { "false" };
    all.push(Entry::file(
        &format!("{info}/WHEEL"),
        format!(
            "Wheel-Version: 1.0\nGenerator: maturin (1.7.4)\nRoot-Is-Purelib: {root_is_purelib}\nTag: {tag}\n"
        ),
        0o644,
    ));
    let mut record = String::new();
    for e in &all {
        if let Kind::File(data) = &e.kind {
            let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(data));
            record.push_str(&format!("{},sha256={digest},{}\n", e.path, data.len()));
        }
    }
    record.push_str(&format!("{info}/RECORD,,\n"));
    all.push(Entry::file(&format!("{info}/RECORD"), record, 0o644));
    zip(&all)
}

/// An npm package tarball: every entry under `package/` (added when missing), a
/// `package/package.json` when none is given, no directory entries (as `npm pack` writes).
pub fn npm_tgz(name: &str, version: &str, entries: &[Entry]) -> Vec<u8> {
    let mut all: Vec<Entry> = entries
        .iter()
        .map(|e| if e.path.starts_with("package/") { e.clone() } else { e.under("package") })
        .collect();
    if !all.iter().any(|e| e.path == "package/package.json") {
        let json = serde_json::json!({"name": name, "version": version, "license": "MIT"});
        all.insert(0, Entry::file("package/package.json", format!("{json:#}\n"), 0o644));
    }
    gzip(&tar(&all))
}

/// Archives that try to write outside the install directory, for the unpack tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evil {
    /// `../x`
    DotDot,
    /// `/abs`
    Absolute,
    /// `link -> ../../outside` then `link/x` written through it.
    SymlinkEscape,
    /// `h` hard-linked to `/etc/passwd`.
    HardlinkEscape,
}

impl Evil {
    /// The entries, after one harmless file; each names its offending entry first.
    pub fn entries(self) -> Vec<Entry> {
        let ok = Entry::exe("tool/bin/tool", script("tool 1.0.0"));
        let bad = match self {
            Evil::DotDot => vec![Entry::file("../x", "escaped\n", 0o644)],
            Evil::Absolute => vec![Entry::file("/abs", "escaped\n", 0o644)],
            Evil::SymlinkEscape => {
                vec![Entry::symlink("link", "../../outside"), Entry::file("link/x", "escaped\n", 0o644)]
            }
            Evil::HardlinkEscape => vec![Entry::hardlink("h", "/etc/passwd")],
        };
        std::iter::once(ok).chain(bad).collect()
    }

    /// The path of the entry den must name when it refuses the archive.
    pub fn offending_path(self) -> &'static str {
        match self {
            Evil::DotDot => "../x",
            Evil::Absolute => "/abs",
            Evil::SymlinkEscape => "link",
            Evil::HardlinkEscape => "h",
        }
    }
}

/// Lowercase hex sha256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
