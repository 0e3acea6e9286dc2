#!/usr/bin/env bash
# Time from `den up -d` to ready, against doing the same by hand on the same binaries:
#   postgres, first start (initdb included) and later starts, vs `initdb` + `pg_ctl start -w`
#   redis, vs `redis-server <conf>` and polling PING until it answers
# and the supervisor's resident memory. Uses an isolated home (the tools are downloaded once
# from the configured registries) and the release build (DEN=path overrides it).
# As root, both den and the by-hand runs start postgres as `nobody`, as den must.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-5}
if [ -z "${DEN:-}" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  DEN="$root/target/release/den"
fi
tmp=$(mktemp -d)
hand=$(mktemp -d /tmp/den-bench-hand.XXXXXX)
chmod 755 "$hand"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" XDG_CACHE_HOME="$tmp/home/.cache"
export XDG_CONFIG_HOME="$tmp/home/.config" XDG_STATE_HOME="$tmp/home/.local/state"
proj="$tmp/proj"
mkdir -p "$HOME" "$proj"
cleanup() {
  (cd "$proj" && "$DEN" down >/dev/null 2>&1) || true
  if [ -n "${hand_pg:-}" ]; then as_pg "$hand_pg/pg_ctl" -D "$hand/data" -m immediate stop >/dev/null 2>&1 || true; fi
  if [ -n "${redis_pid:-}" ]; then kill "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$tmp" "$hand"
}
trap cleanup EXIT
cd "$proj"
printf '[services.db]\npreset = "postgres"\n\n[services.cache]\npreset = "redis"\n' > den.toml
"$DEN" trust >/dev/null 2>&1
"$DEN" up -d >/dev/null 2>&1 # installs the tools once
"$DEN" down >/dev/null 2>&1

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}

# den: first start (initdb + the project's database) and later starts.
first=() later=()
for _ in $(seq "$runs"); do
  rm -rf .den/state/db/data .den/state/db/initialized
  t0=$(now); "$DEN" up -d db >/dev/null 2>&1; t1=$(now); first+=("$(ms "$t0" "$t1")")
  "$DEN" down >/dev/null 2>&1
  t0=$(now); "$DEN" up -d db >/dev/null 2>&1; t1=$(now); later+=("$(ms "$t0" "$t1")")
  "$DEN" down >/dev/null 2>&1
done

# By hand, on the binaries den ran (its reachable tree when root).
"$DEN" up -d db >/dev/null 2>&1
hand_pg=$(dirname "$("$DEN" ps --verbose | sed -n 's/^db: \([^ ]*\) .*/\1/p')")
"$DEN" down >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo secret > "$hand/pw"; chmod 644 "$hand/pw"
mkdir -p "$hand/sock"
[ "$(id -u)" -eq 0 ] && chown nobody "$hand" "$hand/sock"
hfirst=() hlater=()
for _ in $(seq "$runs"); do
  rm -rf "$hand/data"
  t0=$(now)
  as_pg "$hand_pg/initdb" -D "$hand/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --pwfile="$hand/pw" --no-sync >/dev/null 2>&1
  as_pg "$hand_pg/postgres" --single -D "$hand/data" postgres <<< 'CREATE DATABASE proj' >/dev/null 2>&1
  as_pg "$hand_pg/pg_ctl" -D "$hand/data" -o "-k $hand/sock -h 127.0.0.1 -p $port" -l "$hand/log" -w start >/dev/null
  t1=$(now); hfirst+=("$(ms "$t0" "$t1")")
  as_pg "$hand_pg/pg_ctl" -D "$hand/data" -m fast -w stop >/dev/null
  t0=$(now)
  as_pg "$hand_pg/pg_ctl" -D "$hand/data" -o "-k $hand/sock -h 127.0.0.1 -p $port" -l "$hand/log" -w start >/dev/null
  t1=$(now); hlater+=("$(ms "$t0" "$t1")")
  as_pg "$hand_pg/pg_ctl" -D "$hand/data" -m fast -w stop >/dev/null
done
hand_pg=""

# redis: den vs by hand with the same generated configuration (another port and dir).
rden=() rhand=()
for _ in $(seq "$runs"); do
  t0=$(now); "$DEN" up -d cache >/dev/null 2>&1; t1=$(now); rden+=("$(ms "$t0" "$t1")")
  "$DEN" down >/dev/null 2>&1
done
redis_bin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[1]["bin"])' .den/state/cache/tool.json)
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s/^port .*/port $rport/" -e "s|^dir .*|dir $hand|" .den/state/cache/redis-server.conf > "$hand/redis.conf"
for _ in $(seq "$runs"); do
  t0=$(now)
  "$redis_bin/redis-server" "$hand/redis.conf" >/dev/null 2>&1 & redis_pid=$!
  until "$redis_bin/redis-cli" -p "$rport" --no-auth-warning -a "$(cat .den/state/cache/password)" ping 2>/dev/null | grep -q PONG; do
    sleep 0.005
  done
  t1=$(now); rhand+=("$(ms "$t0" "$t1")")
  kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=""
done

"$DEN" up -d >/dev/null 2>&1
rss=$(awk '/VmRSS/ {print $2}' "/proc/$(cut -d' ' -f1 .den/run/supervisor.pid)/status")
"$DEN" down >/dev/null 2>&1

report() { # name den-values... -- hand-values...
  local name=$1; shift
  local d=() h=() side=d
  for v in "$@"; do
    if [ "$v" = -- ]; then side=h; continue; fi
    if [ $side = d ]; then d+=("$v"); else h+=("$v"); fi
  done
  local dm hm
  dm=$(printf '%s\n' "${d[@]}" | median); hm=$(printf '%s\n' "${h[@]}" | median)
  printf '  %-28s den %5s ms   by hand %5s ms   ratio %s\n' "$name" "$dm" "$hm" \
    "$(python3 -c "print(f'{$dm/max($hm,1):.2f}')")"
}
echo "time to ready, median of $runs ($(id -un))"
report "postgres, first start" "${first[@]}" -- "${hfirst[@]}"
report "postgres, later starts" "${later[@]}" -- "${hlater[@]}"
report "redis" "${rden[@]}" -- "${rhand[@]}"
echo "  supervisor resident memory: ${rss} KiB (postgres and redis running)"
