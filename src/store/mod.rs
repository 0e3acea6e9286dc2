//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
//! `http` fetches (system certificates, proxies, retries, resume, progress), `install`
//! puts an artifact in place atomically under a cross-process lock, and `unpack` turns a
//! downloaded archive into an install directory, refusing anything that would escape it.
//! Nothing here decides versions.
// Used by the install/run commands of issue 3.
#![allow(dead_code, unused_imports)]

pub mod http;
pub mod install;
pub mod unpack;
