# SPDX-License-Identifier: Apache-2.0
# bash completion for cocotrust(1).
#
# The areas, verbs and options are read from the installed command's own
# --help output (cached per shell), so the completion never lists a verb
# or an option the binary does not have.

_cocotrust_help_words()
{
        # $1: cache key, rest: arguments for cocotrust
        local key=$1 var
        shift
        var="_cocotrust_cache_${key//[^A-Za-z0-9]/_}"
        if [[ -z ${!var+set} ]]; then
                printf -v "$var" '%s' "$("$_cocotrust_cmd" "$@" --help 2>&1)"
        fi
        printf '%s\n' "${!var}"
}

_cocotrust()
{
        local cur prev words cword
        if declare -F _init_completion >/dev/null; then
                _init_completion || return
        else
                cur=${COMP_WORDS[COMP_CWORD]}
                prev=${COMP_WORDS[COMP_CWORD - 1]}
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
        fi
        _cocotrust_cmd=${words[0]}

        local common="--help --version --json"
        local area="" verb="" i
        for ((i = 1; i < cword; i++)); do
                case ${words[i]} in
                -*) ;;
                *)
                        if [[ -z $area ]]; then area=${words[i]}
                        elif [[ -z $verb ]]; then verb=${words[i]}
                        fi ;;
                esac
        done

        if [[ -z $area ]]; then
                # "  NAME   summary" lines under "Areas:"
                local areas
                areas=$(_cocotrust_help_words top | sed -n '/^Areas:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
                COMPREPLY=($(compgen -W "$areas --help --version" -- "$cur"))
                return
        fi
        if [[ -z $verb && $cur != -* ]]; then
                local verbs
                verbs=$(_cocotrust_help_words "$area" "$area" | sed -n '/^Verbs:/,/^$/s/^  \([a-z][a-z0-9-]*\)  .*/\1/p')
                if [[ -n $verbs ]]; then
                        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
                        return
                fi
        fi
        if [[ $cur == -* ]]; then
                local opts
                if [[ -n $verb ]]; then
                        opts=$(_cocotrust_help_words "$area-$verb" "$area" "$verb" | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)
                else
                        opts=$(_cocotrust_help_words "$area" "$area" | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)
                fi
                COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
                return
        fi
        # Arguments of options and positional arguments are files.
        if declare -F _filedir >/dev/null; then
                _filedir
        else
                COMPREPLY=($(compgen -f -- "$cur"))
        fi
}
complete -F _cocotrust cocotrust
