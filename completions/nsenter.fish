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
            case -t --target -N --net-socket -S --setuid -G --setgid -W --tools-at --container-at
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

complete -c nsenter -x -a '(__fish_complete_subcommand -- -t --target -N --net-socket -S --setuid -G --setgid -W --tools-at --container-at)'
complete -c nsenter -n __nsenter_no_program -s a -l all -d 'enter all namespaces of the target'
complete -c nsenter -n __nsenter_no_program -s h -l help -d 'display this help'
complete -c nsenter -n __nsenter_no_program -s V -l version -d 'display version'
complete -c nsenter -n __nsenter_no_program -s t -l target -x -a '(__fish_complete_pids)' -d 'process to take namespaces and more from'
complete -c nsenter -n __nsenter_no_program -s m -l mount -d 'enter the mount namespace'
complete -c nsenter -n __nsenter_no_program -s u -l uts -d 'enter the UTS namespace (host and domain name)'
complete -c nsenter -n __nsenter_no_program -s i -l ipc -d 'enter the IPC namespace (System V, POSIX queues)'
complete -c nsenter -n __nsenter_no_program -s n -l net -d 'enter the network namespace'
complete -c nsenter -n __nsenter_no_program -s N -l net-socket -x -d 'enter the network namespace of a socket of the target'
complete -c nsenter -n __nsenter_no_program -s p -l pid -d 'enter the PID namespace (for the program, a child)'
complete -c nsenter -n __nsenter_no_program -s U -l user -d 'enter the user namespace'
complete -c nsenter -n __nsenter_no_program -l user-parent -d 'enter the parent of the user namespace'
complete -c nsenter -n __nsenter_no_program -s C -l cgroup -d 'enter the cgroup namespace'
complete -c nsenter -n __nsenter_no_program -s T -l time -d 'enter the time namespace'
complete -c nsenter -n __nsenter_no_program -s S -l setuid -x -a 'follow' -d 'user id to take once inside'
complete -c nsenter -n __nsenter_no_program -s G -l setgid -x -a 'follow' -d 'group id to take once inside'
complete -c nsenter -n __nsenter_no_program -s r -l root -d 'change the root directory'
complete -c nsenter -n __nsenter_no_program -s w -l wd -d 'change directory (opened before entering)'
complete -c nsenter -n __nsenter_no_program -s W -x -a '(__fish_complete_directories)' -d 'change directory (looked up after entering)'
complete -c nsenter -n __nsenter_no_program -l wdns -d 'change directory (looked up after entering)'
complete -c nsenter -n __nsenter_no_program -s e -l env -d 'take the environment of the target'
complete -c nsenter -n __nsenter_no_program -s F -l no-fork -d 'do not fork before running <program>'
complete -c nsenter -n __nsenter_no_program -s c -l join-cgroup -d 'move into the cgroups of the target'
complete -c nsenter -n __nsenter_no_program -l preserve-credentials -d 'keep uid, gid and groups with --user'
complete -c nsenter -n __nsenter_no_program -l keep-caps -d 'keep capabilities (as ambient ones) with --user'
complete -c nsenter -n __nsenter_no_program -s Z -l follow-context -d 'take the security context of the target'
complete -c nsenter -n __nsenter_no_program -l kill-child -d 'send <signal> (KILL) to <program> if nsenter dies'
complete -c nsenter -n __nsenter_no_program -l mount-proc -d 'mount a fresh /proc in a private mount namespace'
complete -c nsenter -n __nsenter_no_program -l confine -d 'take the target\'s confinement: capabilities, seccomp (copied with ptrace, which stops the target for a moment), LSM label, limits'
complete -c nsenter -n __nsenter_no_program -l tools -d 'bring programs: a directory, a root, an image'
complete -c nsenter -n __nsenter_no_program -l tools-at -x -d 'where a directory of programs goes'
complete -c nsenter -n __nsenter_no_program -l container-at -x -d 'where the target\'s root goes in a tools root'
