# den shell hook for zsh. Set up with one line in ~/.zshrc:  eval "$(den hook zsh)"

__den_export() {
  eval "$(__DEN_STAMP=${__den_stamp-} __DEN_SHELL_PID=$$ @DEN@ export zsh)"
}

typeset -ag precmd_functions
if [[ " ${precmd_functions[*]} " != *" __den_hook "* ]]; then
  precmd_functions=(__den_hook "${precmd_functions[@]}")
fi
# As the shell exits (`exit`, end of input, or a hang-up: a closed terminal), den removes the
# previous values it kept for it. zsh runs these functions in subshells too, where `$$` is
# still the shell's pid: only the shell itself forgets.
__den_exit() {
  (( ZSH_SUBSHELL == 0 )) && [[ -n "${__DEN_STATE-}" ]] && @DEN@ __forget "$$" >/dev/null 2>&1
  return 0
}
typeset -ag zshexit_functions
if [[ " ${zshexit_functions[*]} " != *" __den_exit "* ]]; then
  zshexit_functions+=(__den_exit)
fi
# Apply the project of the current directory now, not only at the first prompt: editors
# read the environment from `zsh -i -c env` (Zed, JetBrains IDEs), which shows no prompt.
__den_hook
