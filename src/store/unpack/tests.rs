//! Real archives in every format, built here with the tar/zip writers, valid and malicious.

use crate::hint::Hint;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;

enum E<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Fifo(&'a str),
    Char(&'a str),
}

/// A tar stream with names written verbatim (the builder's own checks would refuse `..`).
fn tar_bytes(entries: &[E]) -> Vec<u8> {
    let mut builder = ::tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = ::tar::Header::new_gnu();
        let (name, kind, data, mode, link): (&str, _, &[u8], u32, Option<&str>) = match *entry {
            E::File(n, d, m) => (n, ::tar::EntryType::Regular, d, m, None),
            E::Dir(n) => (n, ::tar::EntryType::Directory, b"", 0o755, None),
            E::Symlink(n, t) => (n, ::tar::EntryType::Symlink, b"", 0o777, Some(t)),
            E::Hardlink(n, t) => (n, ::tar::EntryType::Link, b"", 0o644, Some(t)),
            E::Fifo(n) => (n, ::tar::EntryType::Fifo, b"", 0o644, None),
            E::Char(n) => (n, ::tar::EntryType::Char, b"", 0o644, None),
        };
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        if let Some(target) = link {
            header.set_link_name_literal(target).unwrap();
        }
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

fn compress(format: &Format, tar: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        Format::Tar => out.extend_from_slice(tar),
        Format::TarGz | Format::Gz { .. } => {
            let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            w.write_all(tar).unwrap();
            w.finish().unwrap();
        }
        Format::TarXz => {
            let mut w = liblzma::write::XzEncoder::new(&mut out, 1);
            w.write_all(tar).unwrap();
            w.finish().unwrap();
        }
        Format::TarZst => out = zstd::encode_all(tar, 1).unwrap(),
        Format::TarBz2 => {
            let mut w = bzip2::write::BzEncoder::new(&mut out, bzip2::Compression::fast());
            w.write_all(tar).unwrap();
            w.finish().unwrap();
        }
        other => panic!("not a tar format: {other:?}"),
    }
    out
}

fn zip_bytes(entries: &[E]) -> Vec<u8> {
    use ::zip::write::SimpleFileOptions;
    let mut writer = ::zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for entry in entries {
        match *entry {
            E::File(name, data, mode) => {
                writer.start_file(name, SimpleFileOptions::default().unix_permissions(mode)).unwrap();
                writer.write_all(data).unwrap();
            }
            E::Dir(name) => writer.add_directory(name, SimpleFileOptions::default()).unwrap(),
            E::Symlink(name, target) => {
                writer.add_symlink(name, target, SimpleFileOptions::default()).unwrap()
            }
            _ => panic!("zip tests use files, directories and symlinks"),
        }
    }
    writer.finish().unwrap().into_inner()
}

/// Unpacks `bytes` (saved as `file_name`) into `<tmp>/root/dest`; returns the tmp dir.
fn run(file_name: &str, bytes: &[u8], format: Format) -> (tempfile::TempDir, Result<(), Error>) {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join(file_name);
    fs::write(&archive, bytes).unwrap();
    // The default limit, whatever DEN_MAX_UNPACK the shell running the tests sets.
    let limit = Limit::by_default(fs::metadata(&archive).unwrap().len());
    let result = unpack_within(&archive, format, &tmp.path().join("root/dest"), limit);
    (tmp, result)
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

const NODE_LIKE: &[E] = &[
    E::Dir("node-v22.12.0-linux-x64/"),
    E::File("node-v22.12.0-linux-x64/bin/node", b"#!node", 0o755),
    E::Symlink("node-v22.12.0-linux-x64/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js"),
    E::File("node-v22.12.0-linux-x64/lib/node_modules/npm/bin/npm-cli.js", b"npm", 0o755),
    E::File("node-v22.12.0-linux-x64/README.md", b"readme", 0o664),
    E::Hardlink("node-v22.12.0-linux-x64/bin/nodejs", "node-v22.12.0-linux-x64/bin/node"),
    E::File("./node-v22.12.0-linux-x64/setuid", b"x", 0o4755),
];

fn assert_node_like(dest: &Path) {
    let top = dest.join("node-v22.12.0-linux-x64");
    assert_eq!(fs::read(top.join("bin/node")).unwrap(), b"#!node");
    assert_eq!(mode(&top.join("bin/node")), 0o755);
    assert_eq!(mode(&top.join("README.md")), 0o644);
    assert_eq!(mode(&top.join("setuid")), 0o755, "set-id bits are dropped");
    assert_eq!(
        fs::read_link(top.join("bin/npm")).unwrap(),
        Path::new("../lib/node_modules/npm/bin/npm-cli.js")
    );
    assert_eq!(fs::read(top.join("bin/npm")).unwrap(), b"npm");
    assert_eq!(fs::read(top.join("bin/nodejs")).unwrap(), b"#!node");
}

#[test]
fn every_tar_compression_unpacks_with_modes_and_links() {
    for (file, format) in [
        ("a.tar", Format::Tar),
        ("a.tar.gz", Format::TarGz),
        ("a.tar.xz", Format::TarXz),
        ("a.tar.zst", Format::TarZst),
        ("a.tar.bz2", Format::TarBz2),
    ] {
        assert_eq!(Format::from_file_name(file), format);
        let (tmp, result) = run(file, &compress(&format, &tar_bytes(NODE_LIKE)), format);
        result.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_node_like(&tmp.path().join("root/dest"));
    }
}

#[test]
fn npm_tarballs_keep_their_package_prefix() {
    let tar = tar_bytes(&[
        E::File("package/package.json", b"{}", 0o644),
        E::File("package/bin/esbuild", b"ELF", 0o755),
    ]);
    let (tmp, result) = run("linux-x64-0.28.2.tgz", &compress(&Format::TarGz, &tar), Format::TarGz);
    result.unwrap();
    assert_eq!(mode(&tmp.path().join("root/dest/package/bin/esbuild")), 0o755);
}

#[test]
fn zip_keeps_unix_modes_and_symlinks() {
    let bytes = zip_bytes(&[
        E::Dir("deno-dir/"),
        E::File("deno", b"ELF", 0o755),
        E::File("deno-dir/notes.txt", b"n", 0o600),
        E::Symlink("deno-dir/link", "../deno"),
    ]);
    let (tmp, result) = run("deno-x86_64-unknown-linux-gnu.zip", &bytes, Format::Zip);
    result.unwrap();
    let dest = tmp.path().join("root/dest");
    assert_eq!(mode(&dest.join("deno")), 0o755);
    assert_eq!(mode(&dest.join("deno-dir/notes.txt")), 0o644);
    assert_eq!(fs::read_link(dest.join("deno-dir/link")).unwrap(), Path::new("../deno"));
}

#[test]
fn wheel_scripts_become_executable() {
    let bytes = zip_bytes(&[
        E::File("ruff-0.6.9.data/scripts/ruff", b"ELF", 0o644),
        E::File("ruff/__init__.py", b"", 0o644),
        E::File("ruff-0.6.9.dist-info/RECORD", b"", 0o644),
    ]);
    let (tmp, result) = run("ruff-0.6.9-py3-none-manylinux_2_17_x86_64.whl", &bytes, Format::Wheel);
    result.unwrap();
    let dest = tmp.path().join("root/dest");
    assert_eq!(mode(&dest.join("ruff-0.6.9.data/scripts/ruff")), 0o755);
    assert_eq!(mode(&dest.join("ruff/__init__.py")), 0o644);
}

#[test]
fn bare_and_gzipped_executables_get_the_tool_name() {
    let (tmp, result) = run("jq-linux-amd64", b"ELFjq", Format::Binary { name: "jq".into() });
    result.unwrap();
    assert_eq!(fs::read(tmp.path().join("root/dest/jq")).unwrap(), b"ELFjq");
    assert_eq!(mode(&tmp.path().join("root/dest/jq")), 0o755);

    let gz = compress(&Format::Gz { name: String::new() }, b"ELFra");
    let name = "rust-analyzer-x86_64-unknown-linux-gnu.gz";
    assert_eq!(
        Format::from_file_name(name),
        Format::Gz { name: "rust-analyzer-x86_64-unknown-linux-gnu".into() }
    );
    let (tmp, result) = run(name, &gz, Format::Gz { name: "rust-analyzer".into() });
    result.unwrap();
    assert_eq!(fs::read(tmp.path().join("root/dest/rust-analyzer")).unwrap(), b"ELFra");
    assert_eq!(mode(&tmp.path().join("root/dest/rust-analyzer")), 0o755);

    let (_tmp, result) = run("x", b"x", Format::Binary { name: "../jq".into() });
    assert_eq!(
        result.unwrap_err().to_string(),
        "archive entry `../jq` names a binary that is not a plain file name"
    );
}

fn refusal(entries: &[E]) -> String {
    let (tmp, result) = run("evil.tar.gz", &compress(&Format::TarGz, &tar_bytes(entries)), Format::TarGz);
    let outside: Vec<_> =
        fs::read_dir(tmp.path().join("root")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(outside, ["dest"], "nothing may be written beside the install directory");
    assert!(!tmp.path().join("x").exists());
    let err = result.expect_err("the archive must be refused");
    assert!(err.hint().unwrap().contains("nothing was installed:"), "{:?}", err.hint());
    err.to_string()
}

#[test]
fn malicious_tar_entries_are_refused_by_name() {
    let ok = E::File("ok", b"", 0o644);
    for (entries, message) in [
        (vec![E::File("../x", b"evil", 0o644)], "archive entry `../x` escapes the install directory"),
        (
            vec![E::File("a/../../x", b"evil", 0o644)],
            "archive entry `a/../../x` escapes the install directory",
        ),
        (vec![E::File("/tmp/abs", b"evil", 0o644)], "archive entry `/tmp/abs` is an absolute path"),
        (
            vec![E::Symlink("a", "../../outside")],
            "archive entry `a` is a symbolic link to `../../outside`, which escapes the install directory",
        ),
        (
            vec![E::Symlink("bin/up", "../../x")],
            "archive entry `bin/up` is a symbolic link to `../../x`, which escapes the install directory",
        ),
        (
            vec![E::Symlink("passwd", "/etc/passwd")],
            "archive entry `passwd` is a symbolic link to `/etc/passwd`, which escapes the install directory",
        ),
        (
            vec![E::Symlink("y", "."), E::Symlink("z", "y/../../x")],
            "archive entry `z` is a symbolic link to `y/../../x`, which uses `..` after a name (den cannot \
             check where it leads)",
        ),
        (
            vec![E::Hardlink("h", "../x")],
            "archive entry `h` is a hard link to `../x`, which escapes the install directory",
        ),
        (
            vec![E::Hardlink("h", "/etc/passwd")],
            "archive entry `h` is a hard link to `/etc/passwd`, which escapes the install directory",
        ),
        (
            vec![E::Hardlink("h", "missing")],
            "archive entry `h` is a hard link to `missing`, which is not a file unpacked before it",
        ),
        (
            vec![E::Fifo("pipe")],
            "archive entry `pipe` is a fifo; tool archives may hold only files, directories and links",
        ),
        (
            vec![ok, E::Char("null")],
            "archive entry `null` is a character device; tool archives may hold only files, directories and links",
        ),
        (
            vec![E::Dir("sub/"), E::Symlink("d", "sub"), E::File("d/f", b"", 0o644)],
            "archive entry `d/f` would be written through the symbolic link `d`",
        ),
        (
            vec![E::File("f", b"", 0o644), E::File("f/g", b"", 0o644)],
            "archive entry `f/g` would be written inside `f`, which is not a directory",
        ),
    ] {
        assert_eq!(refusal(&entries), message);
    }
}

#[test]
fn malicious_zip_entries_are_refused_by_name() {
    for (entries, message) in [
        (vec![E::File("../x", b"evil", 0o644)], "archive entry `../x` escapes the install directory"),
        (vec![E::File("/abs", b"evil", 0o644)], "archive entry `/abs` is an absolute path"),
        (
            vec![E::Symlink("a", "../../outside")],
            "archive entry `a` is a symbolic link to `../../outside`, which escapes the install directory",
        ),
        (
            vec![E::Symlink("a", "/etc")],
            "archive entry `a` is a symbolic link to `/etc`, which escapes the install directory",
        ),
    ] {
        let (tmp, result) = run("evil.zip", &zip_bytes(&entries), Format::Zip);
        assert_eq!(result.unwrap_err().to_string(), message);
        assert!(!tmp.path().join("x").exists() && !tmp.path().join("root/x").exists());
    }
}

#[test]
fn damaged_archives_are_read_errors() {
    let (_tmp, result) = run("a.tar.xz", b"not xz at all", Format::TarXz);
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Read { .. }), "{err:?}");
    assert!(err.to_string().starts_with("cannot read the archive "), "{err}");
    let (_tmp, result) = run("a.zip", b"not a zip", Format::Zip);
    assert!(matches!(result.unwrap_err(), Error::Zip { .. }));
}

#[test]
fn formats_from_names_and_words() {
    for (name, format) in [
        ("node-v22.12.0-linux-x64.tar.xz", Format::TarXz),
        ("cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz", Format::TarGz),
        ("cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst", Format::TarZst),
        ("x.tar.bz2", Format::TarBz2),
        ("linux-x64-0.28.2.tgz", Format::TarGz),
        ("ninja-linux.zip", Format::Zip),
        ("uv-0.4.0-py3-none-manylinux_2_17_x86_64.whl", Format::Wheel),
        ("jq-linux-amd64", Format::Binary { name: "jq-linux-amd64".into() }),
    ] {
        assert_eq!(Format::from_file_name(name), format, "{name}");
    }
    assert_eq!(Format::from_word("binary", "jq"), Some(Format::Binary { name: "jq".into() }));
    assert_eq!(Format::from_word("tar.xz", "x"), Some(Format::TarXz));
    assert_eq!(Format::from_word("rar", "x"), None);
    assert!(Format::WORDS.iter().all(|w| Format::from_word(w, "x").is_some()));
}

/// A GNU sparse tar of one file `big` declaring `real` bytes, all a hole but for `data` at
/// its end: 159 bytes once gzipped, whatever `real` says.
pub(crate) fn sparse_tar(real: u64, data: &[u8]) -> Vec<u8> {
    let mut header = ::tar::Header::new_gnu();
    header.set_path("big").unwrap();
    header.set_entry_type(::tar::EntryType::GNUSparse);
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    let gnu = header.as_gnu_mut().unwrap();
    gnu.set_real_size(real);
    gnu.sparse[0].set_offset(real - data.len() as u64);
    gnu.sparse[0].set_length(data.len() as u64);
    header.set_cksum();
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512) + 1024, 0);
    out
}

fn disk_bytes(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).unwrap().blocks() * 512
}

#[test]
fn an_archive_expanding_past_the_limit_stops_naming_the_limit() {
    let tar = tar_bytes(&[E::File("bomb", &[b'a'; 3 << 20], 0o644)]);
    let gz = compress(&Format::TarGz, &tar);
    assert!(gz.len() < 64 << 10, "a bomb: {} bytes", gz.len());
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("bomb.tar.gz");
    fs::write(&archive, &gz).unwrap();
    let dest = tmp.path().join("dest");
    let limit = Limit { bytes: 1 << 20, from_env: true };
    let err = unpack_within(&archive, Format::TarGz, &dest, limit).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the archive expands to more than 1.0 MiB (the unpack limit set by DEN_MAX_UNPACK); unpacking stopped"
    );
    assert!(err.hint().unwrap().contains("DEN_MAX_UNPACK"), "{:?}", err.hint());
    assert!(!err.keeps_download());
    assert!(fs::metadata(dest.join("bomb")).unwrap().len() <= 1 << 20);

    // The default (100 times the archive, at least 1 MiB) stops it too: it expands 200-fold.
    let err = unpack_within(
        &archive,
        Format::TarGz,
        &tmp.path().join("default"),
        Limit::by_default(gz.len() as u64),
    )
    .unwrap_err();
    let want = Limit { bytes: 100 * gz.len() as u64, from_env: false };
    assert!(matches!(err, Error::TooLarge { limit, .. } if limit == want), "{err:?}");
    // Within its limit the same archive unpacks.
    let dest = tmp.path().join("fits");
    unpack_within(&archive, Format::TarGz, &dest, Limit { bytes: 3 << 20, from_env: true }).unwrap();
    assert_eq!(fs::read(dest.join("bomb")).unwrap(), [b'a'; 3 << 20]);
}

#[test]
fn a_sparse_entry_is_written_sparse_and_counts_its_declared_size() {
    // 50 GiB declared in a 159-byte download: refused after 1 MiB of holes, nothing on disk.
    let gz = compress(&Format::TarGz, &sparse_tar(50 << 30, b"tail"));
    assert!(gz.len() < 200, "{}", gz.len());
    let (tmp, result) = run("sparse.tar.gz", &gz, Format::TarGz);
    let err = result.unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit: Limit { bytes: 1_048_576, from_env: false }, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("100 times the download, at most 20 GiB"), "{err}");
    assert!(disk_bytes(&tmp.path().join("root/dest/big")) < 64 << 10);

    // Within the limit it unpacks with its full length, still taking no room.
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("sparse.tar");
    fs::write(&archive, sparse_tar(8 << 20, b"tail")).unwrap();
    let dest = tmp.path().join("dest");
    unpack_within(&archive, Format::Tar, &dest, Limit { bytes: 16 << 20, from_env: true }).unwrap();
    let big = dest.join("big");
    assert_eq!(fs::metadata(&big).unwrap().len(), 8 << 20);
    assert!(disk_bytes(&big) <= 64 << 10, "written sparse: {} bytes on disk", disk_bytes(&big));
    let content = fs::read(&big).unwrap();
    assert!(content.ends_with(b"tail") && content[..content.len() - 4].iter().all(|b| *b == 0));
}

#[test]
fn entry_names_with_control_characters_are_escaped_in_messages() {
    let message = refusal(&[E::File("evil\x1b[2J\x1b]0;pwned\x07\nden: all good/../../x", b"x", 0o644)]);
    assert_eq!(
        message,
        "archive entry `evil\\e[2J\\e]0;pwned\\x07\\nden: all good/../../x` escapes the install directory"
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
    let message = refusal(&[E::Symlink("l", "/\x1b[31mred")]);
    assert!(message.contains("`/\\e[31mred`") && !message.contains('\x1b'), "{message:?}");
}

#[test]
fn out_of_space_keeps_the_download_and_says_what_ran_out() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("sha256-ab.part");
    let root = tmp.path().join("tools/.tmp-1");
    let err =
        Error::write(&archive, &root, &root.join("d/f"), 3 << 20, io::Error::from_raw_os_error(libc::ENOSPC));
    assert!(err.keeps_download());
    assert_eq!(
        err.to_string(),
        format!(
            "the disk holding {} is full: unpacking stopped after 3.0 MiB (at `d/f`)",
            tmp.path().join("tools").display()
        )
    );
    let help = err.hint().unwrap();
    assert!(help.contains("free some space") && help.contains("sha256-ab.part"), "{help}");
    let err = Error::write(&archive, &root, &root.join("d/f"), 0, io::Error::from_raw_os_error(libc::EFBIG));
    assert!(err.to_string().starts_with("archive entry `d/f` reached the file size limit"), "{err}");
    assert!(err.keeps_download());
    assert!(err.hint().unwrap().contains("ulimit -f"));
    let long = format!("/s/{}", "n".repeat(4000));
    let err =
        Error::write(&archive, &root, Path::new(&long), 0, io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    assert!(!err.keeps_download());
    assert!(err.to_string().len() < 300, "{err}");
    let help = err.hint().unwrap();
    assert!(help.contains("too long") && !help.contains("free space"), "{help}");
}
