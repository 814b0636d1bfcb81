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
            case -u --user -w --workdir -e --env --env-file -H --host
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

complete -c docker-enter -f
complete -c docker-enter -n __docker_enter_needs_container -s u -l user -x -d 'Run as this user, looked up in the container'
complete -c docker-enter -n __docker_enter_needs_container -s w -l workdir -x -d 'Working directory inside the container'
complete -c docker-enter -n __docker_enter_needs_container -s e -l env -x -a '(set -n)' -d 'Set a variable; a bare key takes or unsets it'
complete -c docker-enter -n __docker_enter_needs_container -l env-file -r -F -d 'Read variables from a file'
complete -c docker-enter -n __docker_enter_needs_container -s t -l tty -d 'Give the command a new terminal'
complete -c docker-enter -n __docker_enter_needs_container -s T -l no-tty -d 'Do not give the command a new terminal'
complete -c docker-enter -n __docker_enter_needs_container -s i -l interactive -d 'Accepted for docker exec habits'
complete -c docker-enter -n __docker_enter_needs_container -s d -l detach -d 'Run the command in the background and return at once'
complete -c docker-enter -n __docker_enter_needs_container -s H -l host -x -d 'Docker daemon socket (unix:///path)'
complete -c docker-enter -n __docker_enter_needs_container -l privileged -d "Run with docker-enter's own privileges, not the container's confinement"
complete -c docker-enter -n __docker_enter_needs_container -s h -l help -d 'Display help'
complete -c docker-enter -n __docker_enter_needs_container -s V -l version -d 'Display version'
complete -c docker-enter -n __docker_enter_needs_container -a '(docker-enter --complete-containers 2>/dev/null)' -d 'Running container'
