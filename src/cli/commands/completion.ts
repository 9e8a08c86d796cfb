// oaktree completion bash|zsh: a completion script made from the command tree itself, so every command (also
// the ones added later) completes its subcommands and options. zsh runs the bash function through bashcompinit.
import { type Command, Argument } from 'commander';
import { io } from './context.ts';

/** Every command path ('' for the top) with the words that may follow it: subcommands, then long options. */
function wordsByPath(command: Command, path = '', out = new Map<string, string[]>()): Map<string, string[]> {
  const visible = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const options = command.options.map((o) => o.long ?? o.short).filter((o): o is string => Boolean(o));
  out.set(path, [...visible.map((c) => c.name()), ...options, '--help']);
  for (const sub of command.commands) wordsByPath(sub, path ? `${path} ${sub.name()}` : sub.name(), out);
  return out;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const cases = [...wordsByPath(program)]
    .map(([path, words]) => `    ${quote(path)}) echo ${quote(words.join(' '))} ;;`)
    .join('\n');
  const bash = `_oaktree_words() {
  case "$1" in
${cases}
  esac
}
_oaktree() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word
  # Walk the words typed so far; a word that is a subcommand of the path so far extends it (option values don't).
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) continue ;; esac
    case " $(_oaktree_words "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  COMPREPLY=($(compgen -W "$(_oaktree_words "$path")" -- "$cur"))
}
complete -F _oaktree oaktree
`;
  if (shell === 'bash') return `# oaktree bash completion: source <(oaktree completion bash)\n${bash}`;
  return `#compdef oaktree
# oaktree zsh completion: source <(oaktree completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash}`;
}

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(oaktree completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      io.stdout.write(completionScript(program, shell));
    });
}
