#!/usr/bin/env bash
# Prompt cost (spec §10): the prompt function of den's hook, direnv's hook and mise's
# activate, run N times in a real interactive bash, zsh and fish, inside a project with
# nothing changed and outside any project; and, with hyperfine, the export that runs on
# entering a project: `den export bash` against `direnv export bash` and
# `mise hook-env -s bash`. Budgets: no process per prompt, < 0.05 ms per prompt, < 2 ms
# to apply on entering.
#
# Usage: benches/prompt.sh [N]   (default 1000 prompts for den, N/10 for the others)
set -euo pipefail
n=${1:-1000}
n_other=$(( n / 10 ))
# shellcheck source=benches/common.sh
. "$(dirname "$0")/common.sh"
bench_setup

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_CACHE_HOME="$work/home/.cache" XDG_STATE_HOME="$work/home/.local/state" MISE_YES=1 MISE_OFFLINE=1
mkdir -p "$HOME" "$work/p" "$work/outside"
cd "$work/p"
{
  echo "[env]"
  for i in $(seq 1 18); do echo "VAR_$i = \"value-$i\""; done
  echo 'PATH = { prepend = ["bin"] }'
} >den.toml
{
  echo "[env]"
  for i in $(seq 1 18); do echo "VAR_$i = \"value-$i\""; done
  echo '_.path = ["bin"]'
} >mise.toml
{
  for i in $(seq 1 18); do echo "export VAR_$i=value-$i"; done
  echo 'PATH_add bin'
} >.envrc
"$den" trust >/dev/null 2>&1
"$mise" trust -q >/dev/null 2>&1 || true
direnv allow . >/dev/null 2>&1

hook_line() { # tool shell
  case $1 in
    den) [ "$2" = fish ] && echo "'$den' hook fish | source" || echo "eval \"\$('$den' hook $2)\"" ;;
    direnv) [ "$2" = fish ] && echo "direnv hook fish | source" || echo "eval \"\$(direnv hook $2)\"" ;;
    mise) [ "$2" = fish ] && echo "'$mise' activate fish | source" || echo "eval \"\$('$mise' activate $2)\"" ;;
  esac
}
prompt_fn() { # tool shell
  case $1-$2 in
    den-*) echo __den_hook ;;
    direnv-fish) echo __direnv_export_eval ;;
    direnv-*) echo _direnv_hook ;;
    mise-bash) echo _mise_hook ;;
    mise-zsh) echo _mise_hook_precmd ;;
    mise-fish) echo __mise_env_eval_on_prompt ;;
  esac
}
measure() { # tool shell dir count -> microseconds per prompt
  local tool=$1 sh=$2 dir=$3 count=$4 fn
  fn=$(prompt_fn "$tool" "$sh")
  case $sh in
    bash) bash --norc --noprofile -i -c "$(hook_line "$tool" bash) 2>/dev/null; cd '$dir'; $fn 2>/dev/null; $fn 2>/dev/null
      s=\$EPOCHREALTIME; for ((i = 0; i < $count; i++)); do $fn; done 2>/dev/null; e=\$EPOCHREALTIME
      echo \$(( (\${e/./} - \${s/./}) / $count ))" 2>/dev/null ;;
    zsh) zsh -f -i -c "zmodload zsh/datetime; $(hook_line "$tool" zsh) 2>/dev/null; cd '$dir'; $fn 2>/dev/null; $fn 2>/dev/null
      s=\$EPOCHREALTIME; for ((i = 0; i < $count; i++)); do $fn; done 2>/dev/null; e=\$EPOCHREALTIME
      printf '%.0f\\n' \$(( (e - s) * 1000000 / $count ))" 2>/dev/null ;;
    fish) fish --no-config -i -c "$(hook_line "$tool" fish) 2>/dev/null; cd '$dir'; $fn 2>/dev/null; $fn 2>/dev/null
      set s (date +%s%N); for i in (seq $count); $fn 2>/dev/null; end; set e (date +%s%N)
      math --scale=0 \"(\$e - \$s) / 1000 / $count\"" 2>/dev/null ;;
  esac
}

printf '\nprompt with nothing changed, microseconds per prompt (den: %d prompts, others: %d)\n' "$n" "$n_other"
printf '%-6s %-10s %10s %10s %10s\n' shell where den direnv mise
for sh in bash zsh fish; do
  for where in project outside; do
    dir="$work/p"; [ "$where" = outside ] && dir="$work/outside"
    d=$(measure den "$sh" "$dir" "$n")
    r=$(measure direnv "$sh" "$dir" "$n_other")
    m=$(measure mise "$sh" "$dir" "$n_other")
    printf '%-6s %-10s %10s %10s %10s\n' "$sh" "$where" "$d" "$r" "$m"
  done
done

printf '\napplying on entering a project (hyperfine, mean):\n'
out="$work/hyperfine.json"
hyperfine -N --warmup 20 --runs 300 --export-json "$out" \
  -n den "bash -c 'cd $work/p && exec $den export bash'" \
  -n direnv "bash -c 'cd $work/p && exec direnv export bash'" \
  -n mise "bash -c 'cd $work/p && exec $mise hook-env -s bash'" \
  -n baseline "bash -c 'cd $work/p && exec true'" >/dev/null 2>&1
bench_ratios "$out" "" den direnv mise
