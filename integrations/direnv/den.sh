# den for direnv users: `use den` in a project's .envrc applies the project's den
# environment (variables and tools) through direnv.
#
# Set-up, once: add this line to ~/.config/direnv/direnvrc
#   source /path/to/den/integrations/direnv/den.sh
# then in a project:  echo 'use den' > .envrc && direnv allow && den trust
#
# den's own trust still applies: an untrusted den.toml gets one line and nothing applied.
# direnv reloads when any file den read changes, as den's own hook does: den.toml, den.lock,
# the dotenv files den.toml names, den's trust records and installed tools.

use_den() {
  watch_file den.toml den.lock
  local script __den_watch=()
  # `den export bash` prints one statement per line (values with newlines are $'…'); keep
  # the variables and leave out den's hook bookkeeping, which direnv does itself, except
  # the list of files it read (`__den_watch=(…)`), which direnv watches.
  script=$(den export bash) || return
  eval "$(printf '%s\n' "$script" | grep -E '^(export|unset) ' | grep -v '^export __DEN_STATE=')"
  eval "$(printf '%s\n' "$script" | grep -E '^__den_watch=\(')"
  if ((${#__den_watch[@]})); then
    watch_file "${__den_watch[@]}"
  fi
}
