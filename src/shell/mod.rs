//! Per-shell quoting and rendering: the hook scripts of `shells/` and assignments that a
//! shell's `eval` turns back into the exact bytes.
