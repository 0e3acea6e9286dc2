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

ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r[sys.argv[2]]*1000))' "$1" "$2"; }
bench() { # command: median of $runs runs, in ms (the minimum, less disturbed by a busy machine, in $min)
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/out/bench.json" "$1" >/dev/null 2>&1
  min=$(ms "$work/out/bench.json" min)
  ms "$work/out/bench.json" median
}
cd "$work/elsewhere"
bench "$ruff --version" >"$work/out/direct"
direct=$(cat "$work/out/direct") direct_min=$min
bench "env -i HOME=$HOME $work/proj/.den/bin/ruff --version" >"$work/out/shim"
shim=$(cat "$work/out/shim") shim_min=$min
bench "env -i HOME=$HOME $ruff --version" >"$work/out/envi"
envi=$(cat "$work/out/envi") envi_min=$min
echo "ruff --version (median / min, ms): direct $direct / $direct_min, env -i direct $envi / $envi_min, shim $shim / $shim_min"
python3 -c "import sys; o=float(sys.argv[1])-float(sys.argv[2]); m=float(sys.argv[3])-float(sys.argv[4]); print(f'shim overhead: {o:.2f} ms median, {m:.2f} ms min (budget 3 ms: {\"ok\" if o < 3 else \"OVER\"}; mise shims 2-5 ms, asdf ~120 ms)')" "$shim" "$envi" "$shim_min" "$envi_min"
bench "$den ide true $work/proj" >"$work/out/launch"
echo "den ide true (returns after starting it detached): $(cat "$work/out/launch") ms median, $min ms min"
