#!/usr/bin/env bash
# Measures the editor paths (issue 11):
#   shim: `.den/bin/ruff --version` run under `env -i` from another directory, against
#         running that ruff directly (budget: under 3 ms over the real binary);
#   launch: `den ide true <project>` (any command is an editor; `true` ends at once), the
#         time until den returns having started it detached.
# Usage: benches/ide.sh [runs]   (default 200)
set -euo pipefail
runs=${1:-200}
# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"
bench_setup

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_CACHE_HOME="$work/home/.cache" XDG_STATE_HOME="$work/home/.local/state"
mkdir -p "$HOME" "$work/out" "$work/proj" "$work/elsewhere"
printf '[tools]\nruff = "0.6.9"\n\n[env]\nAPP_ENV = "dev"\n' >"$work/proj/den.toml"
(cd "$work/proj" && "$den" trust >/dev/null 2>&1 && "$den" ide --shims >/dev/null 2>&1)
ruff=$("$den" -C "$work/proj" run -- sh -c 'command -v ruff')

ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$1"; }
bench() { # command: median of $runs runs, in ms
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/out/bench.json" "$1" >/dev/null 2>&1
  ms "$work/out/bench.json"
}
cd "$work/elsewhere"
direct=$(bench "$ruff --version")
shim=$(bench "env -i HOME=$HOME $work/proj/.den/bin/ruff --version")
envi=$(bench "env -i HOME=$HOME $ruff --version")
echo "ruff --version (median, ms): direct $direct, env -i direct $envi, shim $shim"
python3 -c "import sys; o=float(sys.argv[1])-float(sys.argv[2]); print(f'shim overhead: {o:.2f} ms (budget 3 ms: {\"ok\" if o < 3 else \"OVER\"})')" "$shim" "$envi"
launch=$(bench "$den ide true $work/proj")
echo "den ide true (returns after starting it detached): $launch ms"
