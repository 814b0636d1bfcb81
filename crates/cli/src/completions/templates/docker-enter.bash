# bash completion for docker-enter (nsenter-can).
# Options, then the running containers of every runtime (names, addresses
# such as k8s:ns/pod/ctr, and IDs once an ID is being typed), as
# `docker-enter --list` gives them, then nothing: the command runs inside
# the container.

_docker_enter() {
    local cur prev i word line sources=() seen_container=0
    # The words as typed, from the line itself: bash splits words at ':',
    # and addresses (k8s:ns/pod) have one.
    if [[ -n ${COMP_LINE-} ]]; then
        line=${COMP_LINE:0:COMP_POINT}
    else
        line="${COMP_WORDS[*]:0:COMP_CWORD+1}"
    fi
    local -a typed
    read -ra typed <<<"$line"
    if [[ -z $line || $line == *[[:space:]] ]]; then
        cur=
    else
        cur=${typed[-1]}
        unset 'typed[-1]'
    fi
    prev=${typed[-1]}

    # Options stop at the container: find out whether it was already given,
    # and keep the options that say where containers are.
    for ((i = 1; i < ${#typed[@]}; i++)); do
        word=${typed[i]}
        case $word in
            @@SKIP_NEXT@@) ((i++)) ;;
            @@LOCATING_NEXT@@)
                sources+=("$word" "${typed[i+1]}"); ((i++)) ;;
            @@LOCATING_ATTACHED@@)
                sources+=("$word") ;;
            --) seen_container=-1 ;;
            -*) ;;
            *) seen_container=1; break ;;
        esac
    done
    if ((seen_container == 1)); then
        return 0
    fi

    # --tools=DIR: bash replaces only what follows the '='.
    if [[ $cur == --tools=* ]]; then
        COMPREPLY=($(compgen -d -- "${cur#--tools=}"))
        return 0
    fi
    case $prev in
@@PREV_CASES@@
    esac

    if [[ $cur == -* ]] && ((seen_container == 0)); then
        COMPREPLY=($(compgen -W '@@SPELLINGS@@' -- "$cur"))
        return 0
    fi
    local fields='{{.Name}} {{.Address}}'
    # IDs only once one is being typed: 12 digits each would drown the names.
    if [[ -n $cur && $cur != *[^0-9a-f]* ]]; then
        fields+=' {{.ShortID}}'
    fi
    COMPREPLY=($(compgen -W "$(docker-enter "${sources[@]}" --list --format "$fields" 2>/dev/null)" -- "$cur"))
    # bash replaces only what follows the last ':' of the word.
    if [[ $cur == *:* ]]; then
        local typed=${cur%"${cur##*:}"}
        COMPREPLY=("${COMPREPLY[@]#"$typed"}")
    fi
}
complete -F _docker_enter docker-enter
