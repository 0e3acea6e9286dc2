//! What the user should do next about an error: the `help:` lines under `den: <message>`.
//!
//! Every module error implements [`Hint`] next to its type, so the advice is written where
//! the failure is understood. `main` walks an error's `source()` chain once and prints the
//! hint of every error in it, without repeating a line (uv's `hint:` pattern), so a wrapper
//! never has to copy its cause's advice. A module error that wraps another module's error
//! may still include that error's hint in its own, for the places that print a module
//! error themselves (the prompt hook, parallel installs); the walk drops the repeated
//! lines. A leaf: it must never know any module's error type.

/// Advice for one error, one step per line; `None` when there is nothing useful to say.
pub trait Hint {
    /// What the user should do next.
    fn hint(&self) -> Option<String>;
}
