# den shell hook for fish. Set up with one line in ~/.config/fish/config.fish:
#   den hook fish | source
# At each prompt this decides with builtins only whether anything could have changed (the
# project root, when $PWD changed; a watched file newer than the stamp of the last load)
# and runs `den export fish` only then. With nothing changed, no process starts.

function __den_hook --on-event fish_prompt
    set -l __den_status $status
    set -l __den_run
    if test "$PWD" != "$__den_pwd"
        set -g __den_pwd $PWD
        set -l __den_dir $PWD
        set -l __den_root
        while true
            if test -f "$__den_dir/den.toml" -o -f "$__den_dir/.tool-versions" -o -f "$__den_dir/mise.toml" \
                    -o -f "$__den_dir/.mise.toml" -o -f "$__den_dir/.nvmrc" -o -f "$__den_dir/.node-version" \
                    -o -f "$__den_dir/.python-version" -o -f "$__den_dir/.go-version"
                set __den_root $__den_dir
                test -n "$__den_root"; or set __den_root /
                break
            end
            test -z "$__den_dir"; and break
            set __den_dir (string replace -r '/[^/]*$' '' -- $__den_dir)
        end
        if test "$__den_root" != "$__den_found"; or not set -q __den_found
            set -g __den_found $__den_root
            # Outside any project with nothing applied there is nothing to do.
            if test -n "$__den_root" -o -n "$__DEN_STATE"
                set __den_run 1
            end
        end
    end
    if test -z "$__den_run" -a -n "$__den_stamp"
        for __den_file in $__den_watch
            if test "$__den_file" -nt "$__den_stamp"
                set __den_run 1
                break
            end
        end
        for __den_file in $__den_exists
            if not test -e "$__den_file"
                set __den_run 1
                break
            end
        end
    end
    if test -n "$__den_run"
        __DEN_STAMP="$__den_stamp" @DEN@ export fish | source
    end
    return $__den_status
end
