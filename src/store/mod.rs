//! The shared store (spec §5): fetching artifacts over HTTP, verifying them, unpacking
//! them and installing them atomically, once per machine. It never decides which version
//! or artifact a tool needs (that is `resolve`) and never changes a project's files.

pub mod http;
