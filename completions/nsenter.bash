# bash completion for nsenter (nsenter-can).
# Options until the program (they stop at the first word that is not one),
# with values where an option takes one; then the program, then whatever
# bash completes by default (file names) for its arguments.
#
# Words are read from COMP_LINE rather than COMP_WORDS, which bash splits
# at '=': the options' optional values exist only attached (--mount=FILE).

# Does this bundle of short options take the next word as a value? Letters
# with an optional value end the bundle with it; those with a required
# one take the rest of the bundle or, when nothing is left, the next word.
_nsenter_short_takes_next() {
    local bundle=${1#-} c
    while [[ -n $bundle ]]; do
        c=${bundle:0:1}
        bundle=${bundle:1}
        case $c in
            [muinpUCTrw]) return 1 ;;
            [tNSGW]) [[ -z $bundle ]]; return ;;
        esac
    done
    return 1
}

_nsenter() {
    local line=${COMP_LINE:0:COMP_POINT} cur i word value_of=
    local -a words
    read -ra words <<<"$line"
    [[ -z $line || $line == *[[:space:]] ]] && words+=("")
    cur=${words[${#words[@]} - 1]}
    COMPREPLY=()

    # Find what the current word is: an option's value, an option, the
    # program, or one of its arguments.
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
        word=${words[i]}
        if [[ -n $value_of ]]; then
            value_of=
            continue
        fi
        case $word in
            --) ((i + 1 < ${#words[@]} - 1)) && return 0
                COMPREPLY=($(compgen -c -- "$cur")); return 0 ;;
            --target|--net-socket|--setuid|--setgid|--tools-at|--container-at) value_of=$word ;;
            --*) ;;
            -?*) _nsenter_short_takes_next "$word" && value_of=-${word: -1} ;;
            *) return 0 ;;
        esac
    done

    # An attached long value: --mount=FILE. bash completes only what
    # follows the '=' unless '=' was removed from COMP_WORDBREAKS.
    local prefix=
    if [[ -z $value_of && $cur == --*=* ]]; then
        value_of=${cur%%=*}
        cur=${cur#*=}
        [[ ${COMP_WORDS[COMP_CWORD]} == --* ]] && prefix=$value_of=
    fi
    case $value_of in
        -t|--target)
            COMPREPLY=($(compgen -W "$(cd /proc && printf '%s\n' [0-9]*)" -- "$cur")) ;;
        --mount|--uts|--ipc|--net|--pid|--user|--cgroup|--time)
            COMPREPLY=($(compgen -f -- "$cur")) ;;
        -N|--net-socket|--tools-at|--container-at) ;;
        -S|--setuid|-G|--setgid)
            COMPREPLY=($(compgen -W 'follow' -- "$cur")) ;;
        --root|--wd|-W|--wdns|--tools)
            COMPREPLY=($(compgen -d -- "$cur")) ;;
        --kill-child)
            COMPREPLY=($(compgen -W 'HUP INT QUIT KILL TERM USR1 USR2' -- "$cur")) ;;
        --*) ;;
        '')
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '-a --all -h --help -V --version -t
                    --target -m --mount -u --uts -i --ipc -n --net -N
                    --net-socket -p --pid -U --user --user-parent -C
                    --cgroup -T --time -S --setuid -G --setgid -r --root -w
                    --wd -W --wdns -e --env -F --no-fork -c --join-cgroup
                    --preserve-credentials --keep-caps -Z --follow-context
                    --kill-child --mount-proc --confine --tools --tools-at
                    --container-at' -- "$cur"))
            else
                COMPREPLY=($(compgen -c -- "$cur"))
            fi
            return 0 ;;
    esac
    ((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
    return 0
}
complete -o bashdefault -o default -F _nsenter nsenter
