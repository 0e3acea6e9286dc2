//! JSON: one object, name → value in order, `null` for a variable den unsets.

use serde_json::{Map, Value};

use crate::env::Target;

/// A pretty-printed object and a newline.
pub fn render(target: &Target) -> String {
    let map: Map<String, Value> =
        target.iter().map(|v| (v.name.clone(), v.value.clone().map_or(Value::Null, Value::String))).collect();
    let mut out = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
    out.push('\n');
    out
}
