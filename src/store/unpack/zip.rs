//! Zip archives and wheels: each entry checked and written through [`Dest`], unix modes
//! kept, and a wheel's `*.data/scripts/*` made executable.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path};

use super::safety::Dest;
use super::{Error, Refusal};

const TYPE_MASK: u32 = 0o170_000;

/// Reads every entry of the zip file into `out`; `wheel` marks scripts executable.
pub(super) fn unpack(file: File, out: &mut Dest, wheel: bool) -> Result<(), Error> {
    let zip_err = |out: &Dest, source| Error::Zip { archive: out.archive().to_path_buf(), source };
    let mut archive = zip::ZipArchive::new(file).map_err(|e| zip_err(out, e))?;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| zip_err(out, e))?;
        let name = entry.name().map_err(|e| zip_err(out, e))?.into_owned();
        let mode = entry.unix_mode().unwrap_or(0);
        let special = match mode & TYPE_MASK {
            0o020_000 => Some("character device"),
            0o060_000 => Some("block device"),
            0o010_000 => Some("fifo"),
            0o140_000 => Some("socket"),
            _ => None,
        };
        if let Some(kind) = special {
            return Err(out.refuse(&name, Refusal::Special { kind }));
        }
        let Some(rel) = out.relative(&name, Path::new(&name))? else { continue };
        if entry.is_dir() || mode & TYPE_MASK == 0o040_000 {
            out.dir(&name, &rel)?;
        } else if entry.is_symlink() {
            let mut target = String::new();
            entry.read_to_string(&mut target).map_err(|e| out.read_error(e))?;
            out.symlink(&name, &rel, Path::new(&target))?;
        } else {
            let mode = if wheel && is_wheel_script(&rel) { 0o755 } else { mode };
            out.file(&name, &rel, &mut entry, mode)?;
        }
    }
    Ok(())
}

/// `<name>-<version>.data/scripts/<file>`: what pip would install as an executable.
fn is_wheel_script(rel: &Path) -> bool {
    let parts: Vec<Component> = rel.components().collect();
    matches!(parts.as_slice(),
        [Component::Normal(data), Component::Normal(scripts), Component::Normal(_)]
            if data.to_string_lossy().ends_with(".data") && *scripts == "scripts")
}
