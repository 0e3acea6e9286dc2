#!/usr/bin/env bash
# Measures `den export --format json` on a realistic project (20 variables, a dotenv file,
# 10 tools declared) against `mise env --json` and `direnv export json` on equivalent
# configs, with hyperfine, and prints the ratios. Budget (spec §10): under 2 ms.
#
# Installs what it compares against when missing (see common.sh).
# Usage: benches/export.sh [runs]   (default 300)
set -euo pipefail
runs=${1:-300}
# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"
bench_setup

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_CACHE_HOME="$work/home/.cache" XDG_STATE_HOME="$work/home/.local/state" MISE_YES=1 \
  MISE_OFFLINE=1  # mise would otherwise try to list versions online for tools not installed
mkdir -p "$HOME" "$work/den" "$work/mise" "$work/direnv"

tool_names=(node python go ruff jq ripgrep fd just shellcheck terraform)
tool_versions=(22 3.12 1.23 0.6 1.7.1 14 10 1.36 0.10 1.9)

dotenv=$'# local settings\nLOG_LEVEL=debug\nGREETING="hello ${USER:-you}"\nexport SECRET_KEY=\'s3cr3t\'\nMULTI="line one\nline two"\n'
for d in den mise direnv; do printf '%s' "$dotenv" >"$work/$d/.env"; done

{
  echo "[tools]"
  for i in "${!tool_names[@]}"; do echo "${tool_names[$i]} = \"${tool_versions[$i]}\""; done
  echo; echo "[env]"
  for i in $(seq 1 18); do echo "VAR_$i = \"value-$i-\${HOME}\""; done
  echo 'DATABASE_URL = "postgres://localhost:5432/app"'
  echo 'PATH = { prepend = ["bin", "node_modules/.bin"] }'
  echo 'dotenv = [".env"]'
} >"$work/den/den.toml"
{
  echo "[tools]"
  for i in "${!tool_names[@]}"; do echo "${tool_names[$i]} = \"${tool_versions[$i]}\""; done
  echo; echo "[env]"
  for i in $(seq 1 18); do echo "VAR_$i = \"value-$i-{{env.HOME}}\""; done
  echo 'DATABASE_URL = "postgres://localhost:5432/app"'
  echo '_.path = ["bin", "node_modules/.bin"]'
  echo '_.file = ".env"'
} >"$work/mise/mise.toml"
{
  for i in $(seq 1 18); do echo "export VAR_$i=\"value-$i-\${HOME}\""; done
  echo 'export DATABASE_URL="postgres://localhost:5432/app"'
  echo 'PATH_add node_modules/.bin'
  echo 'PATH_add bin'
  echo 'dotenv .env'
} >"$work/direnv/.envrc"

(cd "$work/den" && "$den" trust >/dev/null 2>&1)
(cd "$work/mise" && "$mise" trust -q >/dev/null 2>&1 || true)
(cd "$work/direnv" && direnv allow . >/dev/null 2>&1)

# Each must succeed once before it is timed.
(cd "$work/den" && "$den" export --format json >/dev/null)
(cd "$work/mise" && "$mise" env --json >/dev/null 2>&1)
(cd "$work/direnv" && direnv export json >/dev/null 2>&1)

out="$work/hyperfine.json"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" \
  -n den "bash -c 'cd $work/den && exec $den export --format json'" \
  -n mise "bash -c 'cd $work/mise && exec $mise env --json'" \
  -n direnv "bash -c 'cd $work/direnv && exec direnv export json'" \
  -n baseline "bash -c 'cd $work/den && exec true'" >/dev/null 2>&1

bench_ratios "$out" "export on entering a project (mean over runs, minus the cost of starting bash):" \
  den mise direnv
