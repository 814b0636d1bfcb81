# bash completion for docker-enter (nsenter-can).
# Options, then the names of running containers (asked of the daemon by
# docker-enter itself), then nothing: the command runs inside the container.

_docker_enter() {
    local cur prev i word host=() seen_container=0
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}

    # Options stop at the container: find out whether it was already given.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            -u|--user|-w|--workdir|-e|--env|--env-file) ((i++)) ;;
            -H|--host) host=(-H "${COMP_WORDS[i+1]}"); ((i++)) ;;
            --host=*) host=(-H "${word#--host=}") ;;
            --) seen_container=-1 ;;
            -*) ;;
            *) seen_container=1; break ;;
        esac
    done
    if ((seen_container == 1)); then
        return 0
    fi

    case $prev in
        -u|--user|-w|--workdir|-H|--host) return 0 ;;
        -e|--env) COMPREPLY=($(compgen -e -- "$cur")); return 0 ;;
        --env-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac

    if [[ $cur == -* ]] && ((seen_container == 0)); then
        COMPREPLY=($(compgen -W '-u --user -w --workdir -e --env --env-file
            -t --tty -T --no-tty -i --interactive -d --detach -H --host --privileged -h --help
            -V --version' -- "$cur"))
        return 0
    fi
    COMPREPLY=($(compgen -W "$(docker-enter "${host[@]}" --complete-containers 2>/dev/null)" -- "$cur"))
}
complete -F _docker_enter docker-enter
