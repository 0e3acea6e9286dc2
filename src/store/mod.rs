//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
#![cfg_attr(not(test), allow(dead_code))] // used by the install/run commands of issue 3

pub mod install;
