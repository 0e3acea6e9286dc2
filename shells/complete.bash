# den's dynamic completions for bash, appended to what clap_complete generates for
# `den completions bash` (which defines `_den`). Tool names and the project's variables
# come from den itself (`den __complete tools|vars`), only at the positions that take them;
# everything else is `_den`'s. Never runs at a prompt: only when TAB is pressed.

_den_dynamic() {
  local cur=${COMP_WORDS[COMP_CWORD]} sub='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -C | --directory) ((i++)) ;;
      -*) ;;
      *)
        sub=${COMP_WORDS[i]}
        break
        ;;
    esac
  done
  local what=''
  case ${sub} in
    explain) what=vars ;;
    add | remove | upgrade | ls-remote) what=tools ;;
    x) ((COMP_CWORD == i + 1)) && what=tools ;;
    run)
      what=tools
      for ((i = i + 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -- ]] && what=
      done
      ;;
  esac
  if [[ -n ${what} && ${cur} != -* ]]; then
    local IFS=$'\n'
    # shellcheck disable=SC2207
    COMPREPLY=($(compgen -W "$(@DEN@ __complete "${what}" 2>/dev/null)" -- "${cur}"))
    return 0
  fi
  _den "$@"
}

complete -F _den_dynamic -o nosort -o bashdefault -o default den
