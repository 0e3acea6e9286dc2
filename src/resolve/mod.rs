//! Resolving what a project asks for into exact versions and artifacts (`version` parses
//! and orders versions and specs, `artifact` holds what comes out): the sources (GitHub
//! releases, URL templates, JSON indexes, npm, PyPI), the registries' discovery, checksum
//! files and the `[mirrors]` rewrite; the [`Resolver`] ties them together. `lock` reads and
//! writes den.lock. Nothing here downloads an artifact.

pub mod aqua;
mod checksums;
mod companion;
mod ecosystem;
mod error;
mod host;
pub mod lock;
mod mirror;
pub mod registry;
mod resolver;
pub mod search;
mod sources;
mod unreachable;

#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod resolver_tests;
#[cfg(test)]
mod sources_tests;
#[cfg(test)]
mod test_fixture;
#[cfg(test)]
mod tests;

pub use crate::artifact::{Artifact, Resolved, Step, bin_problem};
pub use crate::version::{Version, VersionSpec};
pub use companion::Companions;
pub use error::Error;
pub use mirror::Mirrors;
pub use resolver::{NotIndexed, Resolver};
pub use sources::system;
#[cfg(test)]
use {
    crate::version::{Comparator, Op, Prereleases, SpecError, VersionError, best, best_with},
    host::{Host, Libc},
    registry::Discovery,
};
