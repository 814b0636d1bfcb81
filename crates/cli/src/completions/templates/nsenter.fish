# fish completion for nsenter (nsenter-can).
# fish has no options whose value is optional: --mount=FILE and friends are
# offered as plain options, and the value is typed.

# True while no program has been given yet (options stop at it).
function __nsenter_no_program
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for w in $words
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $w
            case @@SKIP_NEXT@@
                set skip 1
            case --
                return 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

complete -c nsenter -x -a '(__fish_complete_subcommand -- @@SKIP_NEXT@@)'
@@COMPLETES@@
