//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
//! `install` puts an artifact in place atomically under a cross-process lock; `unpack`
//! turns a downloaded archive into an install directory, refusing anything that would
//! escape it. Nothing here decides versions or talks to registries.
// Used by the install/run commands of issue 3.
#![allow(dead_code, unused_imports)]

pub mod install;
pub mod unpack;
