# den shell hook, the part bash and zsh share (`den hook bash|zsh` prints it followed by
# the shell's own part: den.bash or den.zsh). At each prompt this decides with builtins
# only whether anything could have changed and calls `__den_export` only then: when $PWD
# changed and with it the project root, or when `__den_changed` says so. With nothing
# changed, no process starts.

# Redefined by each `den export`: tests whether a file it read is newer than the stamp it
# touched, or a file that existed is gone (one compound test, no loop, no process).
__den_changed() { return 1; }

__den_hook() {
  local __den_status=$?
  if [[ "${PWD}" != "${__den_pwd-}" ]] && __den_moved || __den_changed; then
    __den_export
  fi
  return "${__den_status}"
}

# Looks for the project root upward from $PWD (den.toml or another tool's version file);
# succeeds when it differs from the last one and there is something to apply or undo.
__den_moved() {
  __den_pwd=${PWD}
  local __den_dir=${PWD} __den_root=
  while :; do
    if [[ -e "${__den_dir}/den.toml" || -f "${__den_dir}/.tool-versions" || -f "${__den_dir}/mise.toml" \
      || -f "${__den_dir}/.mise.toml" || -f "${__den_dir}/.nvmrc" || -f "${__den_dir}/.node-version" \
      || -f "${__den_dir}/.python-version" || -f "${__den_dir}/.go-version" ]]; then
      __den_root=${__den_dir:-/}
      break
    fi
    [[ -z "${__den_dir}" ]] && break
    __den_dir=${__den_dir%/*}
  done
  if [[ "${__den_root}" == "${__den_found-}" && -n "${__den_found+set}" ]]; then
    return 1
  fi
  __den_found=${__den_root}
  # Outside any project with nothing applied there is nothing to do.
  [[ -n "${__den_root}" || -n "${__DEN_STATE-}" ]]
}
