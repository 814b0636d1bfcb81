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
            case -u --user -w --workdir -e --env --env-file -H --host --tools-at --container-at --format --state-files --docker-root --docker-exec-root --containerd-state --storage-root --storage-runroot --host-root
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
            case -H --host --state-files --docker-root --docker-exec-root --containerd-state --storage-root --storage-runroot --host-root
                set -a sources $w
                set take 1
            case '--host=*' '--state-files=*' '--docker-root=*' '--docker-exec-root=*' '--containerd-state=*' '--storage-root=*' '--storage-runroot=*' '--host-root=*'
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
complete -c docker-enter -n __docker_enter_needs_container -s u -l user -x -d 'run as this user (name or uid, group name or gid), looked up in the container'
complete -c docker-enter -n __docker_enter_needs_container -s w -l workdir -x -d 'working directory inside the container'
complete -c docker-enter -n __docker_enter_needs_container -s e -l env -x -a '(set -n)' -d 'set a variable; <key> alone takes its value from here, or unsets it'
complete -c docker-enter -n __docker_enter_needs_container -l env-file -r -F -d 'read variables from a file of KEY=VALUE lines'
complete -c docker-enter -n __docker_enter_needs_container -s t -l tty -d 'give the program a new terminal (default when stdin, stdout and stderr all are)'
complete -c docker-enter -n __docker_enter_needs_container -s T -l no-tty -d 'do not give the program a new terminal'
complete -c docker-enter -n __docker_enter_needs_container -s i -l interactive -d 'accepted for docker exec habits: stdin is always passed on'
complete -c docker-enter -n __docker_enter_needs_container -s d -l detach -d 'run the command in the background and return at once'
complete -c docker-enter -n __docker_enter_needs_container -s H -l host -r -F -d 'Docker daemon socket: unix:///path or /path'
complete -c docker-enter -n __docker_enter_needs_container -l privileged -d 'run with docker-enter\'s own privileges, not the container\'s confinement: trusts the container\'s binaries with the host'
complete -c docker-enter -n __docker_enter_needs_container -l tools -d 'bring programs: a directory of static ones, a whole root (a directory or a local image); alone, the toolbox installed with the can'
complete -c docker-enter -n __docker_enter_needs_container -l tools-at -x -d 'where a directory of programs goes in the container'
complete -c docker-enter -n __docker_enter_needs_container -l container-at -x -d 'where the container\'s root goes in a tools root (/container)'
complete -c docker-enter -n __docker_enter_needs_container -l list -d 'list the running containers of every runtime'
complete -c docker-enter -n __docker_enter_needs_container -l format -x -a 'table json' -d '--list as table, json or \'{{.Field}} ...\''
complete -c docker-enter -n __docker_enter_needs_container -l state-files -x -a 'first fallback never' -d 'Docker, Podman state files: first|fallback|never'
complete -c docker-enter -n __docker_enter_needs_container -l docker-root -x -a '(__fish_complete_directories)' -d 'Docker\'s data root (/var/lib/docker)'
complete -c docker-enter -n __docker_enter_needs_container -l docker-exec-root -x -a '(__fish_complete_directories)' -d 'Docker\'s exec root (/run/docker)'
complete -c docker-enter -n __docker_enter_needs_container -l containerd-state -x -a '(__fish_complete_directories)' -d 'containerd\'s state (/run/containerd)'
complete -c docker-enter -n __docker_enter_needs_container -l storage-root -x -a '(__fish_complete_directories)' -d 'Podman, CRI-O storage (/var/lib/containers/storage)'
complete -c docker-enter -n __docker_enter_needs_container -l storage-runroot -x -a '(__fish_complete_directories)' -d 'their run root (/run/containers/storage)'
complete -c docker-enter -n __docker_enter_needs_container -l host-root -x -a '(__fish_complete_directories)' -d 'the host\'s / when run in a container'
complete -c docker-enter -n __docker_enter_needs_container -s h -l help -d 'display this help'
complete -c docker-enter -n __docker_enter_needs_container -s V -l version -d 'display version'
complete -c docker-enter -n __docker_enter_needs_container -a '(__docker_enter_containers)'
