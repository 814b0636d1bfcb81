# bash completion for importenv (nsenter-can).
# importenv [-h|-V] ENVIRON_FILE COMMAND [ARG...]: options first, then a
# file (a saved /proc/PID/environ), then a command, then whatever bash
# completes by default (file names) for its arguments.

_importenv() {
    local cur=${COMP_WORDS[COMP_CWORD]} i operands=0 options=1
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --) ((options)) && { options=0; continue; } ;;
            -?*) ((options)) && continue ;;
        esac
        options=0
        ((operands++))
    done
    case $operands in
        0)
            if ((options)) && [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '@@SPELLINGS@@' -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi ;;
        1) COMPREPLY=($(compgen -c -- "$cur")) ;;
    esac
    return 0
}
complete -o bashdefault -o default -F _importenv importenv
