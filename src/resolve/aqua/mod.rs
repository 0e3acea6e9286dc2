//! The aqua registry's package format (`registry.yaml`, `pkgs/<owner>/<name>/registry.yaml`):
//! the long tail of release-binary CLIs. `package` reads definitions and picks the one for
//! a version (`version_constraint`, `version_overrides`); `render` turns it into the file
//! to fetch for a platform (`asset`/`url` templates, `replacements`, `overrides`,
//! `format`, `files`, `supported_envs`, `checksum`); `template` is the small subset of Go
//! templates the registry uses; `digest` reads its checksum files. Pure: no I/O, nothing
//! run, every input (a registry or mirror den did not write) may be hostile.

pub mod digest;
pub mod package;
pub mod render;
pub mod template;

#[cfg(test)]
mod tests;

pub use package::{Package, Registry};
pub use render::{Checksum, Location, Rendered};
