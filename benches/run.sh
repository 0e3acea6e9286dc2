#!/usr/bin/env bash
# Measures one-off runs (spec §10: `den run tool@ver -- cmd` with the tool installed costs
# under 1.5 ms over running the tool directly):
#   warm: `den run ruff@0.6.9 -- ruff --version` against running that ruff directly,
#         `mise x ruff@0.6.9 -- ruff --version` (the same ruff linked into mise),
#         `uvx ruff@0.6.9 --version`, and `direnv exec DIR ruff --version`;
#         `den run -- true` in a project with its tools installed against `true`,
#         `mise x -- true` and `direnv exec DIR true` in equivalent directories;
#   cold: the first run of ruff 0.6.9 and biome 2.0.0 (empty store and caches) with den,
#         `uvx` and `npx`, each taking its registry from its own configuration.
#
# Installs what it compares against when missing: hyperfine and direnv from Debian, uv
# from PyPI with pip and mise from its npm package (@jdxcode/mise-linux-x64), both into
# benches/.tools/.
# Usage: benches/run.sh [runs]   (default 300)
set -euo pipefail
runs=${1:-300}
# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"
bench_setup
uv="$tools/uv/bin/uv"
if [ ! -x "$uv" ]; then
  python3 -m pip install --quiet --target "$tools/uv" uv >/dev/null
fi
uvx="$tools/uv/bin/uvx"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
real_home=$HOME
# The user's npm configuration stays in force (npx and den's npm discovery read it).
[ -f "$real_home/.npmrc" ] && export npm_config_userconfig="$real_home/.npmrc"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_CACHE_HOME="$work/home/.cache" XDG_STATE_HOME="$work/home/.local/state" MISE_YES=1 \
  UV_CACHE_DIR="$work/home/.cache/uv" npm_config_cache="$work/home/.cache/npm" \
  UV_NATIVE_TLS=1 npm_config_update_notifier=false
mkdir -p "$HOME" "$work/out" "$work/proj" "$work/direnv" "$work/mise"

ms() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.2f" % (r["median"]*1000))' "$1"; }
cold() { # name, command...: one timed cold run, after emptying every store and cache
  rm -rf "$HOME/.local/share" "$HOME/.cache"
  local start end err="$work/out/cold.err"
  start=$(date +%s.%N)
  "${@:2}" >/dev/null 2>"$err" || { echo "  $1 failed: $(tail -1 "$err")"; return; }
  end=$(date +%s.%N)
  python3 -c "import sys; print(f'  {sys.argv[1]:28s} {float(sys.argv[3])-float(sys.argv[2]):6.2f} s')" "$1" "$start" "$end"
}

echo "cold first run (empty store and caches):"
cold "den run ruff@0.6.9" "$den" run ruff@0.6.9 -- ruff --version
cold "uvx ruff@0.6.9" "$uvx" ruff@0.6.9 --version
cold "den x biome (npm) 2.0.0" "$den" x 'npm:@biomejs/cli-{os}-{arch}@2.0.0' --version
cold "npx @biomejs/biome@2.0.0" npx --yes @biomejs/biome@2.0.0 --version

# Warm: everything installed once.
"$den" run ruff@0.6.9 -- ruff --version >/dev/null 2>&1
"$uvx" ruff@0.6.9 --version >/dev/null 2>&1 || true
ruff=$("$den" run ruff@0.6.9 -- sh -c 'command -v ruff')
ruff_dir=$(dirname "$ruff")
mkdir -p "$work/ruff/bin" && ln -sf "$ruff" "$work/ruff/bin/ruff"
"$mise" link -f ruff@0.6.9 "$work/ruff" >/dev/null 2>&1 || true
printf '[tools]\nruff = "0.6.9"\n\n[env]\nAPP_ENV = "dev"\n' >"$work/proj/den.toml"
(cd "$work/proj" && "$den" trust >/dev/null 2>&1 && "$den" install >/dev/null 2>&1)
printf '[tools]\nruff = "0.6.9"\n\n[env]\nAPP_ENV = "dev"\n' >"$work/mise/mise.toml"
(cd "$work/mise" && "$mise" trust -q >/dev/null 2>&1 || true)
printf 'PATH_add %s\nexport APP_ENV=dev\n' "$ruff_dir" >"$work/direnv/.envrc"
direnv allow "$work/direnv" >/dev/null 2>&1

bench() { # name, command: median of $runs runs
  if ! bash -c "$2" >/dev/null 2>&1; then echo "  $1: does not run here, skipped" >&2; return; fi
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/out/bench.json" "$2" >/dev/null 2>&1
  ms "$work/out/bench.json"
}
report() { # title, baseline, name=command...
  echo "$1 (median, ms; overhead = minus the direct run):"
  local base; base=$(bench direct "$2")
  printf '  %-22s %7s\n' direct "$base"
  shift 2
  for pair in "$@"; do
    local name=${pair%%=*} t
    t=$(bench "$name" "${pair#*=}") || true
    [ -n "$t" ] || continue
    python3 -c "import sys; t,b=float(sys.argv[2]),float(sys.argv[3]); print(f'  {sys.argv[1]:22s} {t:7.2f}   +{t-b:6.2f} ms')" "$name" "$t" "$base"
  done
}
cd "$work"
report "warm ruff --version" "$ruff --version" \
  "den run=$den run ruff@0.6.9 -- ruff --version" \
  "mise x=$mise x ruff@0.6.9 -- ruff --version" \
  "uvx=$uvx ruff@0.6.9 --version" \
  "direnv exec=direnv exec $work/direnv ruff --version"
report "warm true in a project" "true" \
  "den run -- true=$den -C $work/proj run -- true" \
  "mise x -- true=$mise -C $work/mise x -- true" \
  "direnv exec true=direnv exec $work/direnv true"
