//! The one way to start a program with a project's environment applied: `den enter`,
//! `den run`, `den x` and `den which` go through here (and, next, services, shims and the
//! editor launcher). Owns the `den enter` session records and the one-off tool runs.
//! Never decides trust itself (that is `trust::gate`) and never renders for a shell.

pub mod oneoff;
pub mod session;
