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
complete -c nsenter -n __nsenter_no_program -s a -l all -d 'Enter all namespaces of the target'
complete -c nsenter -n __nsenter_no_program -s t -l target -x -a '(__fish_complete_pids)' -d 'Process to take namespaces and more from'
complete -c nsenter -n __nsenter_no_program -s m -l mount -d 'Enter the mount namespace'
complete -c nsenter -n __nsenter_no_program -s u -l uts -d 'Enter the UTS namespace'
complete -c nsenter -n __nsenter_no_program -s i -l ipc -d 'Enter the IPC namespace'
complete -c nsenter -n __nsenter_no_program -s n -l net -d 'Enter the network namespace'
complete -c nsenter -n __nsenter_no_program -s N -l net-socket -x -d 'Enter the network namespace of a socket of the target'
complete -c nsenter -n __nsenter_no_program -s p -l pid -d 'Enter the PID namespace'
complete -c nsenter -n __nsenter_no_program -s C -l cgroup -d 'Enter the cgroup namespace'
complete -c nsenter -n __nsenter_no_program -s U -l user -d 'Enter the user namespace'
complete -c nsenter -n __nsenter_no_program -l user-parent -d 'Enter the parent of the user namespace'
complete -c nsenter -n __nsenter_no_program -s T -l time -d 'Enter the time namespace'
complete -c nsenter -n __nsenter_no_program -s S -l setuid -x -a follow -d 'User id to take once inside'
complete -c nsenter -n __nsenter_no_program -s G -l setgid -x -a follow -d 'Group id to take once inside'
complete -c nsenter -n __nsenter_no_program -l preserve-credentials -d 'Keep uid, gid and groups with --user'
complete -c nsenter -n __nsenter_no_program -l keep-caps -d 'Keep capabilities (as ambient ones) with --user'
complete -c nsenter -n __nsenter_no_program -s r -l root -d 'Change the root directory'
complete -c nsenter -n __nsenter_no_program -s w -l wd -d 'Change directory (opened before entering)'
complete -c nsenter -n __nsenter_no_program -s W -x -a '(__fish_complete_directories)' -d 'Change directory (looked up after entering)'
complete -c nsenter -n __nsenter_no_program -l wdns -d 'Change directory (looked up after entering)'
complete -c nsenter -n __nsenter_no_program -s e -l env -d 'Take the environment of the target'
complete -c nsenter -n __nsenter_no_program -s F -l no-fork -d 'Do not fork before running the program'
complete -c nsenter -n __nsenter_no_program -s c -l join-cgroup -d 'Move into the cgroups of the target'
complete -c nsenter -n __nsenter_no_program -s Z -l follow-context -d 'Take the security context of the target'
complete -c nsenter -n __nsenter_no_program -l kill-child -d 'Signal for the program if nsenter dies (KILL)'
complete -c nsenter -n __nsenter_no_program -l mount-proc -d 'Mount a fresh /proc in a private mount namespace'
complete -c nsenter -n __nsenter_no_program -l confine -d "Take the target's confinement (capabilities, seccomp, LSM label, limits)"
complete -c nsenter -n __nsenter_no_program -l tools -d 'Bring programs: --tools=DIR or IMAGE, alone the installed toolbox'
complete -c nsenter -n __nsenter_no_program -l tools-at -x -d 'Where a directory of programs goes in the target'
complete -c nsenter -n __nsenter_no_program -l container-at -x -d 'Where the target'\''s root goes in a tools root'
complete -c nsenter -n __nsenter_no_program -s h -l help -d 'Display help'
complete -c nsenter -n __nsenter_no_program -s V -l version -d 'Display version'
