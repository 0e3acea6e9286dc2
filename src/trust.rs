//! Trust records (spec §8): a project's file is trusted for its canonical path and the
//! sha256 of its content; a copy of the trusted content lets den show what changed.

/// Problems reading or writing trust records.
#[derive(Debug, thiserror::Error)]
pub enum Error {}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match *self {}
    }
}
