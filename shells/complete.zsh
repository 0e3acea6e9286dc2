# den's dynamic completions for zsh, appended to what clap_complete generates for
# `den completions zsh` (which defines `_den`). Tool names and the project's variables
# come from den itself (`den __complete tools|vars`), only at the positions that take them;
# everything else is `_den`'s. Never runs at a prompt: only when TAB is pressed.

_den_dynamic() {
  local sub='' i what=''
  for ((i = 2; i < CURRENT; i++)); do
    case ${words[i]} in
      -C | --directory) ((i++)) ;;
      -*) ;;
      *)
        sub=${words[i]}
        break
        ;;
    esac
  done
  case ${sub} in
    explain) what=vars ;;
    add | remove | upgrade | ls-remote) what=tools ;;
    x) ((CURRENT == i + 1)) && what=tools ;;
    run)
      what=tools
      for ((i = i + 1; i < CURRENT; i++)); do
        [[ ${words[i]} == -- ]] && what=
      done
      ;;
  esac
  if [[ -n ${what} && ${words[CURRENT]} != -* ]]; then
    local -a names
    names=("${(@f)$(@DEN@ __complete "${what}" 2>/dev/null)}")
    compadd -a names
    return
  fi
  _den "$@"
}

compdef _den_dynamic den
