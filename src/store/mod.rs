//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
#![allow(dead_code)] // used by the install/run commands of issue 3

pub mod install;
