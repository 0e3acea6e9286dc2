//! `global.json` (the .NET SDK's own file): `{"sdk": {"version": "8.0.100",
//! "rollForward": "latestFeature"}}` turned into a den spec for `dotnet` that allows what
//! the SDK's roll-forward policy allows, den taking the newest of it: `disable` pins the
//! version; `patch`/`latestPatch` (the default) keep its feature band (`>=8.0.100,
//! <8.0.200`); `feature`/`latestFeature` its minor; `minor`/`latestMinor` its major;
//! `major`/`latestMajor` anything newer. A file without `sdk.version` says nothing to den.

use serde_json::Value;

use super::File;

/// Reads `global.json` into `file`.
pub fn global_json(text: &str, file: &mut File) {
    let doc: Value = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(e) => return file.reject(e.line(), format!("it is not JSON ({e})")),
    };
    let Some(sdk) = doc.get("sdk") else { return };
    let line = line_of(text, "\"version\"");
    let Some(version) = sdk.get("version").and_then(Value::as_str) else { return };
    let roll = sdk.get("rollForward").and_then(Value::as_str).unwrap_or("latestPatch");
    let parts: Vec<u64> = version.split('.').map_while(|p| p.parse().ok()).collect();
    let [major, minor, patch] = parts[..] else {
        return file.note(
            line,
            format!("dotnet not imported: `{}` is not an SDK version", crate::diag::printable(version)),
        );
    };
    let band = patch / 100 * 100;
    let spec = match roll {
        "disable" => version.to_string(),
        "patch" | "latestPatch" => format!(">={version}, <{major}.{minor}.{}", band + 100),
        "feature" | "latestFeature" => format!(">={version}, <{major}.{}", minor + 1),
        "minor" | "latestMinor" => format!(">={version}, <{}", major + 1),
        "major" | "latestMajor" => format!(">={version}"),
        other => {
            return file.note(
                line,
                format!(
                    "dotnet not imported: rollForward `{}` is not one the SDK knows",
                    crate::diag::printable(other)
                ),
            );
        }
    };
    file.add_or_note("dotnet", &spec, None, line);
}

/// The 1-based line of the first `needle`, else 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).map_or(1, |i| i + 1)
}
