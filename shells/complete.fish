# den's dynamic completions for fish, appended to what clap_complete generates for
# `den completions fish`. Tool names and the project's variables come from den itself
# (`den __complete tools|vars`), only at the positions that take them. Never runs at a
# prompt: only when TAB is pressed.

complete -c den -n '__fish_seen_subcommand_from explain' -f -a '(@DEN@ __complete vars 2>/dev/null)'
complete -c den -n '__fish_seen_subcommand_from add remove upgrade ls-remote' -f -a '(@DEN@ __complete tools 2>/dev/null)'
complete -c den -n '__fish_seen_subcommand_from x; and test (count (commandline -opc)) -eq 2' -f -a '(@DEN@ __complete tools 2>/dev/null)'
complete -c den -n '__fish_seen_subcommand_from run; and not contains -- -- (commandline -opc)' -f -a '(@DEN@ __complete tools 2>/dev/null)'
