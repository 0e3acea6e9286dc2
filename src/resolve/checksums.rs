//! Reading the checksum files upstreams publish, in every real style: coreutils text
//! (`<hex>  <name>`), binary mode (`<hex> *<name>`, cargo-dist), a bare digest (Go,
//! kubectl), BSD tags (`SHA256 (<name>) = <hex>`, yq), with `./` prefixes and CRLF.
//! Only sha256 digests are taken. Pure text work, no I/O.

/// The sha256 (lowercase hex) the file gives for `name`: the line naming it, or the only
/// digest of a file that names nothing (a sidecar such as `kubectl.sha256`).
pub fn find_sha256(text: &str, name: &str) -> Option<String> {
    let mut bare = Vec::new();
    let mut named_any = false;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        if let Some((algo, rest)) = line.split_once(" (") {
            // BSD: `SHA256 (name) = hex`; other algorithms are skipped.
            let Some((file, hex)) = rest.rsplit_once(") = ") else { continue };
            named_any = true;
            if algo.eq_ignore_ascii_case("sha256") && same_name(file, name) && is_sha256(hex.trim()) {
                return Some(hex.trim().to_ascii_lowercase());
            }
            continue;
        }
        let mut tokens = line.splitn(2, char::is_whitespace);
        let hex = tokens.next().unwrap_or_default();
        if !is_sha256(hex) {
            continue;
        }
        match tokens.next().map(str::trim).filter(|f| !f.is_empty()) {
            Some(file) => {
                named_any = true;
                if same_name(file.trim_start_matches('*'), name) {
                    return Some(hex.to_ascii_lowercase());
                }
            }
            None => bare.push(hex.to_ascii_lowercase()),
        }
    }
    (!named_any && bare.len() == 1).then(|| bare.remove(0))
}

fn same_name(listed: &str, name: &str) -> bool {
    let listed = listed.trim().trim_start_matches("./");
    listed == name || listed.replace("%2B", "+") == name.replace("%2B", "+")
}

/// 64 hex digits.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::test_fixture::sample;

    const A: &str = "e05a4d65232ae2b27b3d77da2e368522fb46b923335b8e0d5f77624c32484044";
    const B: &str = "9e7905fdee722f9650a03ae644b51c4c6effd3b98ac93c588700072ab35c9ddb";

    #[test]
    fn shasums_text_lists() {
        // nodejs.org SHASUMS256.txt (real excerpt, embedded so the test does not need the file).
        let node = format!(
            "293dcc6c2408da21562d135b0412525e381bb6fe150d688edb58fe850d0f3e13  node-v22.12.0-darwin-arm64.tar.gz\n\
             {B}  node-v22.12.0-linux-arm64.tar.gz\n{A}  node-v22.12.0-linux-x64.tar.gz\n"
        );
        assert_eq!(find_sha256(&node, "node-v22.12.0-linux-x64.tar.gz").as_deref(), Some(A));
        assert_eq!(find_sha256(&node, "node-v22.12.0-linux-arm64.tar.gz").as_deref(), Some(B));
        assert_eq!(find_sha256(&node, "node-v22.12.0-linux-x64.tar.xz"), None);
        assert_eq!(find_sha256(&node, "linux-x64.tar.gz"), None, "names match whole");
        // bun: no trailing newline; CRLF files.
        let bun = format!("{A}  bun-linux-x64.zip\r\n{B}  bun-linux-aarch64.zip");
        assert_eq!(find_sha256(&bun, "bun-linux-aarch64.zip").as_deref(), Some(B));
        assert_eq!(find_sha256(&bun, "bun-linux-x64.zip").as_deref(), Some(A));
    }

    #[test]
    fn real_sample_files() {
        let text = sample("pbs-SHA256SUMS-excerpt.txt");
        let line = text.lines().next().unwrap();
        let (hex, name) = line.split_once("  ").unwrap();
        assert!(name.contains('+'), "{name}");
        assert_eq!(find_sha256(&text, name).as_deref(), Some(hex));
        assert_eq!(find_sha256(&text, &name.replace('+', "%2B")).as_deref(), Some(hex));
        let text = sample("terraform_1.9.8_SHA256SUMS-excerpt.txt");
        let (hex, name) = text.lines().last().unwrap().split_once("  ").unwrap();
        assert_eq!(find_sha256(&text, name).as_deref(), Some(hex));
    }

    #[test]
    fn binary_mode_with_blank_line() {
        // cargo-dist `.sha256` (ruff, uv): `<hex> *<name>` then an empty line.
        let text = format!("{A} *ruff-x86_64-unknown-linux-gnu.tar.gz\n\n");
        assert_eq!(find_sha256(&text, "ruff-x86_64-unknown-linux-gnu.tar.gz").as_deref(), Some(A));
        assert_eq!(find_sha256(&format!("{A}  ./jq-linux-amd64\n"), "jq-linux-amd64").as_deref(), Some(A));
    }

    #[test]
    fn bare_digests() {
        assert_eq!(find_sha256(&format!("{A}\n"), "go1.24.4.linux-amd64.tar.gz").as_deref(), Some(A));
        assert_eq!(find_sha256(&A.to_uppercase(), "kubectl").as_deref(), Some(A));
        assert_eq!(find_sha256(&format!("{A}\n{B}\n"), "x"), None, "two bare digests: which one?");
        assert_eq!(find_sha256("not a digest\n", "x"), None);
    }

    #[test]
    fn bsd_tags() {
        let text = format!(
            "SHA1 (yq_linux_amd64) = 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12\n\
             SHA256 (yq_linux_amd64) = {A}\nSHA256 (yq_linux_arm64) = {B}\n\
             SHA512 (yq_linux_amd64) = {A}{A}\n"
        );
        assert_eq!(find_sha256(&text, "yq_linux_amd64").as_deref(), Some(A));
        assert_eq!(find_sha256(&text, "yq_linux_arm64").as_deref(), Some(B));
        assert_eq!(find_sha256(&text, "yq_darwin_arm64"), None);
    }
}
