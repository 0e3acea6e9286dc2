//! Fuzz target of the dotenv rendering (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): what `den export dotenv` writes is read back byte for byte by den's
//! dotenv parser. Lives with the renderer, which sits above `env` (`env` never imports
//! `shell`).

use proptest::prelude::*;

use super::ExportFormat;
use crate::env::{Origin, Target, Var};
use crate::fuzz::config;

proptest! {
    #![proptest_config(config(800))]

    /// `den export dotenv` output is read back as exactly the values den rendered.
    #[test]
    fn rendered_values_read_back_identically(
        vars in proptest::collection::vec(("[A-Za-z_][A-Za-z0-9_]{0,8}", any::<String>()), 0..6)
    ) {
        let mut target = Target::default();
        for (name, value) in &vars {
            target.insert(Var { name: name.clone(), value: Some(value.clone()), origin: Origin::Den, secret: None });
        }
        let want: Vec<(String, String)> =
            target.iter().map(|v| (v.name.clone(), v.value.clone().unwrap_or_default())).collect();
        let text = crate::shell::render(&target, ExportFormat::Dotenv);
        let back = crate::env::parse_dotenv_literals(&text).unwrap_or_else(|e| panic!("{e} in {text:?}"));
        prop_assert_eq!(back, want);
    }
}
