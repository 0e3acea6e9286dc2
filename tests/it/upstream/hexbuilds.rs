//! Hex's builds under `/builds.hex.pm/builds/` in their recorded layout: `builds.txt` per
//! build directory, one build a line `<name> <git ref> <date> <sha256>` (branch builds
//! such as `master` and `maint-27` among them), Erlang/OTP per arch and Ubuntu image
//! (`otp/amd64/ubuntu-22.04/OTP-27.1.2.tar.gz`: `OTP-27.1.2/` with `Install`, `erts-<v>/bin/`
//! holding `erl.src`, `start.src`, `erlexec` and the programs, `releases/<major>/` its boot
//! files) and Elixir per OTP major (`elixir/v1.17.3-otp-27.zip`: `bin/`, `lib/` at its top).

use sha2::{Digest, Sha256};

use super::State;
use super::archives::{self, Entry, hex};

const ARCHES: &[&str] = &["amd64", "arm64"];
const IMAGE: &str = "ubuntu-22.04";

/// `erl.src` as `make release` leaves it: ROOTDIR for `Install` to fill in.
fn erl_src(erts: &str) -> String {
    format!(
        "#!/bin/sh\nROOTDIR=\"%FINAL_ROOTDIR%\"\nBINDIR=$ROOTDIR/erts-{erts}/bin\nEMU=%EMU%\nPROGNAME=`echo $0 | sed 's/.*\\///'`\nexport EMU\nexport ROOTDIR\nexport BINDIR\nexport PROGNAME\nexec \"$BINDIR/erlexec\" ${{1+\"$@\"}}\n"
    )
}

/// Adds `line` to the `builds.txt` at `dir`, keeping a branch build first as the real list does.
fn list(state: &mut State, dir: &str, line: String) {
    let path = format!("/builds.hex.pm/builds/{dir}/builds.txt");
    let mut text = match state.files.get(&path) {
        Some(super::File::Bytes { body, .. }) => String::from_utf8(body.clone()).unwrap(),
        _ => format!("master 0123abc 2024-12-01T03:00:00Z {}\n", "f".repeat(64)),
    };
    text.push_str(&line);
    text.push('\n');
    state.put(&path, text.into_bytes(), "text/plain");
}

/// Publishes Erlang/OTP `version` (`27.1.2`) with erts `erts` (`15.1.2`) for both arches.
pub fn otp(state: &mut State, version: &str, erts: &str) {
    let major = version.split('.').next().unwrap_or(version);
    let top = format!("OTP-{version}");
    let erlexec =
        format!("#!/bin/sh\necho \"erlang {version} ROOTDIR=$ROOTDIR EMU=$EMU PROGNAME=$PROGNAME\"\n");
    let entries = [
        Entry::exe(&format!("{top}/Install"), "#!/bin/sh\necho Install must not run >&2\nexit 1\n"),
        Entry::file(&format!("{top}/erts-{erts}/bin/erl.src"), erl_src(erts), 0o644),
        Entry::file(
            &format!("{top}/erts-{erts}/bin/start.src"),
            "#!/bin/sh\nROOTDIR=%FINAL_ROOTDIR%\n",
            0o644,
        ),
        Entry::exe(&format!("{top}/erts-{erts}/bin/erlexec"), erlexec),
        Entry::exe(&format!("{top}/erts-{erts}/bin/erlc"), "#!/bin/sh\necho erlc\n"),
        Entry::exe(&format!("{top}/erts-{erts}/bin/escript"), "#!/bin/sh\necho escript\n"),
        Entry::exe(&format!("{top}/erts-{erts}/bin/epmd"), "#!/bin/sh\necho epmd\n"),
        Entry::file(&format!("{top}/releases/{major}/start_clean.boot"), "boot", 0o644),
        Entry::file(&format!("{top}/releases/{major}/no_dot_erlang.boot"), "boot", 0o644),
        Entry::file(&format!("{top}/lib/stdlib-6.1.2/ebin/lists.beam"), "FOR1", 0o644),
    ];
    for arch in ARCHES {
        let dir = format!("otp/{arch}/{IMAGE}");
        let name = format!("{top}.tar.gz");
        let body = archives::build(&name, &entries);
        let sha = hex(&Sha256::digest(&body));
        state.put(&format!("/builds.hex.pm/builds/{dir}/{name}"), body, "application/x-gzip");
        list(state, &dir, format!("{top} 9f8e7d6 2024-10-17T10:00:00Z {sha}"));
    }
}

/// Publishes Elixir `version` (`1.17.3`) precompiled for OTP `major` (`27`).
pub fn elixir(state: &mut State, version: &str, major: &str) {
    let name = format!("v{version}-otp-{major}");
    let say = |what: &str| format!("#!/bin/sh\necho \"{what} {version} otp-{major} MIX_HOME=$MIX_HOME\"\n");
    // mix runs on erl, as the real one does; `mix archive.install` writes into MIX_ARCHIVES.
    let mix = format!(
        "#!/bin/sh\nif [ \"$1\" = archive.install ]; then mkdir -p \"$MIX_ARCHIVES\" && echo archive > \"$MIX_ARCHIVES/$2.ez\"; exit; fi\necho \"mix {version} otp-{major}\"\nerl\n"
    );
    let entries = [
        Entry::exe("bin/elixir", say("elixir")),
        Entry::exe("bin/elixirc", say("elixirc")),
        Entry::exe("bin/iex", say("iex")),
        Entry::exe("bin/mix", mix),
        Entry::file("lib/elixir/ebin/elixir.app", "{application, elixir, []}.\n", 0o644),
    ];
    let file = format!("{name}.zip");
    let body = archives::build(&file, &entries);
    let sha = hex(&Sha256::digest(&body));
    state.put(&format!("/builds.hex.pm/builds/elixir/{file}"), body, "application/zip");
    list(state, "elixir", format!("{name} 1a2b3c4 2024-09-18T12:00:00Z {sha}"));
}
