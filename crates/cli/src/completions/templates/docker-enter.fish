# fish completion for docker-enter (nsenter-can).

# True while no container has been given yet (options stop at it).
function __docker_enter_needs_container
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
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# Running containers of every runtime, with the options on the line that
# say where containers are: names and addresses, and IDs once one is typed.
function __docker_enter_containers
    set -l words (commandline -opc)
    set -e words[1]
    set -l sources
    set -l take 0
    for w in $words
        if test $take -eq 1
            set -a sources $w
            set take 0
            continue
        end
        switch $w
            case @@LOCATING_NEXT@@
                set -a sources $w
                set take 1
            case @@LOCATING_ATTACHED@@
                set -a sources $w
        end
    end
    # One template giving several lines per container (fish keeps a
    # newline inside one argument with string collect).
    set -l lines '{{.Name}}\t{{.Runtime}} {{.Image}}' '{{.Address}}\t{{.Runtime}} {{.Image}}'
    if string match -qr '^[0-9a-f]+$' -- (commandline -ct)
        set -a lines '{{.ShortID}}\t{{.Name}}'
    end
    set -l format (printf (string join '\n' $lines) | string collect)
    docker-enter $sources --list --format $format 2>/dev/null
end

complete -c docker-enter -f
@@COMPLETES@@
complete -c docker-enter -n __docker_enter_needs_container -a '(__docker_enter_containers)'
