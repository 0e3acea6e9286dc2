# den shell hook for fish. Set up with one line in ~/.config/fish/config.fish:
#   den hook fish | source
# At each prompt this decides with builtins only whether anything could have changed and
# runs `den export fish` only then: when $PWD changed and with it the project root, or when
# `__den_changed` says so. With nothing changed, no process starts.

# Redefined by each `den export`: tests whether a file it read is newer than the stamp it
# touched, or a file that existed is gone (builtins only, no process).
function __den_changed
    return 1
end

# Looks for the project root upward from $PWD (den.toml or another tool's version file);
# succeeds when it differs from the last one and there is something to apply or undo.
function __den_moved
    set -g __den_pwd $PWD
    set -l __den_dir $PWD
    set -l __den_root
    while true
        if test -e "$__den_dir/den.toml" -o -f "$__den_dir/.tool-versions" -o -f "$__den_dir/mise.toml" \
                -o -f "$__den_dir/.mise.toml" -o -f "$__den_dir/.nvmrc" -o -f "$__den_dir/.node-version" \
                -o -f "$__den_dir/.python-version" -o -f "$__den_dir/.go-version"
            set __den_root $__den_dir
            test -n "$__den_root"; or set __den_root /
            break
        end
        test -z "$__den_dir"; and break
        set __den_dir (string replace -r '/[^/]*$' '' -- $__den_dir)
    end
    if set -q __den_found; and test "$__den_root" = "$__den_found"
        return 1
    end
    set -g __den_found $__den_root
    # Outside any project with nothing applied there is nothing to do.
    test -n "$__den_root" -o -n "$__DEN_STATE"
end

function __den_hook --on-event fish_prompt
    set -l __den_status $status
    if begin; test "$PWD" != "$__den_pwd"; and __den_moved; end; or __den_changed
        __DEN_STAMP="$__den_stamp" __DEN_SHELL_PID=$fish_pid @DEN@ export fish | source
    end
    return $__den_status
end
# As the shell exits (`exit`, end of input, or a hang-up: a closed terminal), den removes the
# previous values it kept for it.
function __den_exit --on-event fish_exit
    test -n "$__DEN_STATE"; and @DEN@ __forget $fish_pid >/dev/null 2>&1
end
# Apply the project of the current directory now, not only at the first prompt: editors
# read the environment from `fish -i -c env` (Zed, JetBrains IDEs), which shows no prompt.
__den_hook
