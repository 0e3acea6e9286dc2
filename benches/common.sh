# shellcheck shell=bash disable=SC2034  # sets variables for the scripts that source it
# Sourced by the benchmark scripts. `bench_setup` installs what they compare against when
# missing (hyperfine and direnv from Debian, mise from its npm package into benches/.tools/)
# and builds den in release mode; it sets `here`, `root`, `tools`, `mise` and `den`.
# `bench_ratios FILE TITLE NAME...` prints hyperfine's means for NAMEs minus the command
# named `baseline` (the cost of starting bash and changing directory), as ratios to den.

bench_setup() {
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  root=$(dirname "$here")
  local need_apt="" sudo=""
  command -v hyperfine >/dev/null || need_apt="$need_apt hyperfine"
  command -v direnv >/dev/null || need_apt="$need_apt direnv"
  if [ -n "$need_apt" ]; then
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    # shellcheck disable=SC2086
    $sudo apt-get update -qq && $sudo apt-get install -y -qq $need_apt >/dev/null
  fi
  tools="$here/.tools"
  mise="$tools/node_modules/@jdxcode/mise-linux-x64/bin/mise"
  if [ ! -x "$mise" ]; then
    mkdir -p "$tools"
    npm install --silent --no-save --prefix "$tools" @jdxcode/mise-linux-x64 >/dev/null
  fi
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  den="$root/target/release/den"
}

bench_ratios() {
  python3 - "$@" <<'PY'
import json, sys
path, title, names = sys.argv[1], sys.argv[2], sys.argv[3:]
r = {x["command"]: x for x in json.load(open(path))["results"]}
base = r["baseline"]["mean"]
den = r["den"]["mean"] - base
print(title)
for name in names:
    m = r[name]["mean"] - base
    print(f"  {name:7s} {m*1000:7.2f} ms  ± {r[name]['stddev']*1000:.2f}   {m/den:5.1f}x den")
print(f"budget: den under 2 ms -> {'ok' if den < 0.002 else 'OVER'}")
PY
}
