# den shell hook for bash. Set up with one line in ~/.bashrc:  eval "$(den hook bash)"

__den_export() {
  eval "$(__DEN_STAMP=${__den_stamp-} __DEN_SHELL_PID=$$ @DEN@ export bash)"
}

if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
  if [[ " ${PROMPT_COMMAND[*]} " != *" __den_hook "* ]]; then
    PROMPT_COMMAND=(__den_hook "${PROMPT_COMMAND[@]}")
  fi
elif [[ ";${PROMPT_COMMAND-};" != *";__den_hook;"* ]]; then
  # A string in this branch: the array form was handled above.
  # shellcheck disable=SC2178,SC2128
  PROMPT_COMMAND="__den_hook${PROMPT_COMMAND:+;${PROMPT_COMMAND}}"
fi
# As the shell exits (`exit`, end of input, or a hang-up: a closed terminal), den removes the
# previous values it kept for it. Added in front of an EXIT trap already set, never
# replacing it (`trap -p` prints `trap -- 'command' EXIT`).
__den_exit() {
  local __den_status=$?
  # In a subshell (which may keep the trap), `$$` is still the shell's pid: not there.
  (( BASH_SUBSHELL == 0 )) && [[ -n "${__DEN_STATE-}" ]] && @DEN@ __forget "$$" >/dev/null 2>&1
  return "${__den_status}"
}
__den_trap=$(trap -p EXIT)
if [[ "${__den_trap}" != *__den_exit* ]]; then
  # Called by the eval below, with the words of `trap -p`.
  # shellcheck disable=SC2317
  __den_previous() { __den_trap=${2-}; }
  eval "__den_previous ${__den_trap#trap }"
  unset -f __den_previous
  trap -- "__den_exit${__den_trap:+
${__den_trap}}" EXIT
fi
unset __den_trap
# Apply the project of the current directory now, not only at the first prompt: editors
# read the environment from `bash -i -c env` (Zed, JetBrains IDEs), which shows no prompt.
__den_hook
