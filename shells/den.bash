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
# Apply the project of the current directory now, not only at the first prompt: editors
# read the environment from `bash -i -c env` (Zed, JetBrains IDEs), which shows no prompt.
__den_hook
