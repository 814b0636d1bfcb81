# fish completion for importenv (nsenter-can).
# importenv [-h|-V] ENVIRON_FILE COMMAND [ARG...]

# True while no environ file has been given yet.
function __importenv_needs_file
    for w in (commandline -opc)[2..-1]
        switch $w
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

@@COMPLETES@@
complete -c importenv -n __importenv_needs_file -F -d 'Environ file (NUL-separated)'
complete -c importenv -n 'not __importenv_needs_file' -x -a '(__fish_complete_subcommand --fcs-skip=2)'
