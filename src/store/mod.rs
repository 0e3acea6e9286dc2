//! The shared store (spec §5). For now: unpacking downloaded artifacts into an install
//! directory, safely. Download, verification, locking and atomic installs come with the
//! install command (issue 3). Nothing here touches the network.
// Used by the install/run commands of issue 3.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

pub mod unpack;
