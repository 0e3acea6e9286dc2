# den shell hook, the part bash and zsh share (`den hook bash|zsh` prints it followed by
# the shell's own part: den.bash or den.zsh). At each prompt this decides with builtins
# only whether anything could have changed (the project root, when $PWD changed; a watched
# file newer than the stamp of the last load) and calls `__den_export` only then. With
# nothing changed, no process starts.

# __den_watch, __den_exists and __den_stamp are set by the output of `den export`.
# shellcheck disable=SC2154
__den_hook() {
  local __den_status=$?
  local __den_run=
  if [[ "${PWD}" != "${__den_pwd-}" ]]; then
    __den_pwd=${PWD}
    local __den_dir=${PWD} __den_root=
    while :; do
      if [[ -f "${__den_dir}/den.toml" || -f "${__den_dir}/.tool-versions" || -f "${__den_dir}/mise.toml" \
        || -f "${__den_dir}/.mise.toml" || -f "${__den_dir}/.nvmrc" || -f "${__den_dir}/.node-version" \
        || -f "${__den_dir}/.python-version" || -f "${__den_dir}/.go-version" ]]; then
        __den_root=${__den_dir:-/}
        break
      fi
      [[ -z "${__den_dir}" ]] && break
      __den_dir=${__den_dir%/*}
    done
    if [[ "${__den_root}" != "${__den_found-}" || -z "${__den_found+set}" ]]; then
      __den_found=${__den_root}
      # Outside any project with nothing applied there is nothing to do.
      if [[ -n "${__den_root}" || -n "${__DEN_STATE-}" ]]; then __den_run=1; fi
    fi
  fi
  if [[ -z "${__den_run}" && -n "${__den_stamp-}" ]]; then
    local __den_file
    for __den_file in "${__den_watch[@]}"; do
      if [[ "${__den_file}" -nt "${__den_stamp}" ]]; then __den_run=1; break; fi
    done
    for __den_file in "${__den_exists[@]}"; do
      if [[ ! -e "${__den_file}" ]]; then __den_run=1; break; fi
    done
  fi
  if [[ -n "${__den_run}" ]]; then
    __den_export
  fi
  return "${__den_status}"
}
