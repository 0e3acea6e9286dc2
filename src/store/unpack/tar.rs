//! Tarballs of any compression: each entry checked and written through [`Dest`].

use std::io::Read;

use tar::EntryType;

use super::safety::Dest;
use super::{Error, Refusal};

/// Reads every entry of the (already decompressed) tar stream into `out`.
pub(super) fn unpack(reader: impl Read, out: &mut Dest) -> Result<(), Error> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(|e| out.read_error(e))? {
        let mut entry = entry.map_err(|e| out.read_error(e))?;
        let path = entry.path().map_err(|e| out.read_error(e))?.into_owned();
        let name = path.display().to_string();
        let kind = entry.header().entry_type();
        let special = match kind {
            EntryType::Char => Some("character device"),
            EntryType::Block => Some("block device"),
            EntryType::Fifo => Some("fifo"),
            _ => None,
        };
        if let Some(kind) = special {
            return Err(out.refuse(&name, Refusal::Special { kind }));
        }
        let Some(rel) = out.relative(&name, &path)? else { continue };
        match kind {
            EntryType::Directory => {
                out.dir(&name, &rel)?;
            }
            EntryType::Symlink | EntryType::Link => {
                let target =
                    entry.link_name().map_err(|e| out.read_error(e))?.unwrap_or_default().into_owned();
                if kind == EntryType::Symlink {
                    out.symlink(&name, &rel, &target)?;
                } else {
                    out.hardlink(&name, &rel, &target)?;
                }
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                let mode = entry.header().mode().map_err(|e| out.read_error(e))?;
                out.file(&name, &rel, &mut entry, mode)?;
            }
            // Metadata records (pax, GNU long names) are consumed by the reader; anything
            // else carries no file for a tool.
            _ => {}
        }
    }
    Ok(())
}
