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
            case -u --user -w --workdir -e --env --env-file -H --host --format --state-files --docker-root --docker-exec-root --containerd-state --storage-root --storage-runroot --host-root --tools-at --container-at
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
complete -c docker-enter -n __docker_enter_needs_container -s u -l user -x -d 'Run as this user, looked up in the container'
complete -c docker-enter -n __docker_enter_needs_container -s w -l workdir -x -d 'Working directory inside the container'
complete -c docker-enter -n __docker_enter_needs_container -s e -l env -x -a '(set -n)' -d 'Set a variable; a bare key takes or unsets it'
complete -c docker-enter -n __docker_enter_needs_container -l env-file -r -F -d 'Read variables from a file'
complete -c docker-enter -n __docker_enter_needs_container -s t -l tty -d 'Give the command a new terminal'
complete -c docker-enter -n __docker_enter_needs_container -s T -l no-tty -d 'Do not give the command a new terminal'
complete -c docker-enter -n __docker_enter_needs_container -s i -l interactive -d 'Accepted for docker exec habits'
complete -c docker-enter -n __docker_enter_needs_container -s d -l detach -d 'Run the command in the background and return at once'
complete -c docker-enter -n __docker_enter_needs_container -s H -l host -r -F -d 'Docker daemon socket (unix:///path or /path)'
complete -c docker-enter -n __docker_enter_needs_container -l privileged -d "Run with docker-enter's own privileges, not the container's confinement"
complete -c docker-enter -n __docker_enter_needs_container -l tools -d 'Bring programs: --tools=DIR or IMAGE, alone the installed toolbox'
complete -c docker-enter -n __docker_enter_needs_container -l tools-at -x -d 'Where a directory of programs goes in the container'
complete -c docker-enter -n __docker_enter_needs_container -l container-at -x -d 'Where the container'\''s root goes in a tools root'
complete -c docker-enter -n __docker_enter_needs_container -l list -d 'List the running containers of every runtime'
complete -c docker-enter -n __docker_enter_needs_container -l format -x -a 'table json' -d 'How --list prints'
complete -c docker-enter -n __docker_enter_needs_container -l state-files -x -a 'first fallback never' -d 'When to read Docker and Podman state files'
complete -c docker-enter -n __docker_enter_needs_container -l docker-root -x -a '(__fish_complete_directories)' -d 'Docker data root'
complete -c docker-enter -n __docker_enter_needs_container -l docker-exec-root -x -a '(__fish_complete_directories)' -d 'Docker exec root'
complete -c docker-enter -n __docker_enter_needs_container -l containerd-state -x -a '(__fish_complete_directories)' -d 'containerd state directory'
complete -c docker-enter -n __docker_enter_needs_container -l storage-root -x -a '(__fish_complete_directories)' -d 'Podman and CRI-O storage root'
complete -c docker-enter -n __docker_enter_needs_container -l storage-runroot -x -a '(__fish_complete_directories)' -d 'Podman and CRI-O run root'
complete -c docker-enter -n __docker_enter_needs_container -l host-root -x -a '(__fish_complete_directories)' -d 'The host root directory'
complete -c docker-enter -n __docker_enter_needs_container -s h -l help -d 'Display help'
complete -c docker-enter -n __docker_enter_needs_container -s V -l version -d 'Display version'
complete -c docker-enter -n __docker_enter_needs_container -a '(__docker_enter_containers)'
