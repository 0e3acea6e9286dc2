//! Resolving what a project asks for into exact versions: version parsing and ordering,
//! version specs and the choice of the best match. Sources (GitHub, URL templates, npm,
//! PyPI) and den.lock come next (issue 3). Nothing here touches the network or the disk.
// Used by the install/run commands of issue 3.
#![allow(dead_code, unused_imports)]

mod artifact;
pub mod lock;
mod spec;
mod version;

#[cfg(test)]
mod tests;

pub use artifact::{Artifact, Resolved, Step};
pub use spec::{Comparator, Op, Prereleases, SpecError, VersionSpec, best, best_with};
pub use version::{Version, VersionError};
