//! The target environment of a project: variables in file order with `${NAME}`
//! interpolation, dotenv files, secrets, and the tools' PATH entries. Computes values only;
//! rendering for shells lives in `shell`.

pub mod state;

/// Problems computing the environment.
#[derive(Debug, thiserror::Error)]
pub enum Error {}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match *self {}
    }
}
