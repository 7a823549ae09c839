# bash completion for alpcscope(1). Installed into the bash-completion
# completions directory; the option lists and what each option's value
# completes to follow the CLI's option tables (cli/options.h;
# tests/cli/check-options.py checks that they do).
_alpcscope()
{
	local cur prev words cword
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local commands="info dump messages chains summary graph symbols profile"
	local common="--help --progress --no-progress --quiet --threads"
	local filters="--process --pid --exclude --from --to --interfaces --no-builtin-interfaces"
	local report="--format --expire --csv-raw $filters"
	local symbols="--symbols --symbols-verbose"

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	local cmd=${COMP_WORDS[1]} opts=""
	case $cmd in
	info) opts="--format" ;;
	dump) opts="--format --filter --from --to --limit --file-order --manifest --manifest-dir --no-builtin-manifests --payload-bytes --csv-raw $symbols" ;;
	messages) opts="$report --stacks $symbols" ;;
	chains) opts="$report --stacks --caused-process $symbols" ;;
	summary) opts="$report --top --top-chains --table" ;;
	graph) opts="--output --format --max-nodes --max-edges --chain --caused-process --no-highlight --parents --all --expire $filters" ;;
	symbols) opts="--format $symbols" ;;
	profile) opts="--output" ;;
	*) return ;;
	esac
	case $prev in
	--format | -f)
		case $cmd in
		info | symbols) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
		dump) COMPREPLY=($(compgen -W "text jsonl csv xml" -- "$cur")) ;;
		chains) COMPREPLY=($(compgen -W "text json jsonl csv xml mermaid" -- "$cur")) ;;
		summary) COMPREPLY=($(compgen -W "text json csv" -- "$cur")) ;;
		graph) COMPREPLY=($(compgen -W "dot svg png" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "text json jsonl csv xml" -- "$cur")) ;;
		esac
		return
		;;
	--table)
		COMPREPLY=($(compgen -W "conversations processes chains" -- "$cur"))
		return
		;;
	--manifest | --interfaces | --output | -o)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--manifest-dir | --symbols)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--process | --pid | --exclude | --from | --to | --limit | --expire | --caused-process | \
		--chain | --max-nodes | --max-edges | --top | --top-chains | --filter | --payload-bytes | \
		--threads)
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -X '!*.@(etl|ETL|xml|XML)' -- "$cur") $(compgen -d -- "$cur"))
	fi
}
complete -F _alpcscope alpcscope
