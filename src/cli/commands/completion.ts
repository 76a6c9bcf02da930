/**
 * `cioc completion bash|zsh|fish` prints a script that asks `cioc __complete` for candidates, so
 * completion always matches the registry and the user's authentications.
 */
import { ValidationError } from '../../errors.js';
import { CONNECTOR_IDS, isConnectorId, type ConnectorId } from '../../regions.js';
import { storeExists } from '../../store/location.js';
import type { CompletionNode } from '../completion-types.js';
import { COMMANDS, COMMON, TREE } from '../generated/completion-words.js';
import type { Io } from '../io.js';

// Completion runs on every Tab, so it loads a generated table of commands and flags
// (`npm run gen`) instead of the registry and its schemas, and reads the store (SQLite, read-only,
// names only) only to complete an authentication's name. `bin/cioc.js` comes here straight, without commander.

/** Names of authentications, after these (`cioc auth show <name>`…). */
const TAKES_AUTH_NAME = new Set(['show', 'update', 'delete', 'test', 'default']);

/**
 * The authentications `--auth` can take here: a names-only, read-only query (no master key, no
 * secret code, nothing written); only the command's connector's when it has one. SQLite is loaded
 * only when there is a store to read.
 */
async function authNames(io: Io, connector?: ConnectorId): Promise<string[]> {
  if (!storeExists(io.env)) return [];
  const { authenticationNames } = await import('../../store/auth-names.js');
  return authenticationNames(io.env, connector);
}

/** The connector a command line runs an operation of: `app get-segment`, `run app.get_segment`. */
function connectorOf(words: readonly string[]): ConnectorId | undefined {
  const [first, second] = words;
  if (first !== undefined && isConnectorId(first)) return first;
  const prefix = first === 'run' ? second?.split('.')[0] : undefined;
  return prefix !== undefined && isConnectorId(prefix) ? prefix : undefined;
}

/** The CLI command the words name (a connector's operation command is not in the tree). */
function nodeFor(words: readonly string[]): { node: CompletionNode; path: string[]; positionals: number } {
  let node = TREE;
  const path: string[] = [];
  let positionals = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    // A flag's value is not a command (`workflow push --visibility private`).
    if (word.startsWith('-')) {
      if (node.valued?.includes(word) === true) i++;
      continue;
    }
    const next = positionals === 0 ? node.subcommands?.[word] : undefined;
    if (next === undefined) {
      positionals++;
      continue;
    }
    node = next;
    path.push(word);
  }
  return { node, path, positionals };
}

/** Candidates for the word being completed, given the words before it (without `cioc`). */
export async function completions(io: Io, words: readonly string[]): Promise<string[]> {
  const previous = words.at(-2);
  const current = words.at(-1) ?? '';
  // Case-insensitive, as the CLI takes values (`--method get` is GET).
  const typed = current.toLowerCase();
  const filter = (candidates: readonly string[]): string[] =>
    candidates.filter((c) => c.toLowerCase().startsWith(typed));
  const before = words.slice(0, -1);
  const { node, path, positionals } = nodeFor(before);
  const [first, second] = path;
  // An operation command (`app get-segment`): its own table, generated from the registry.
  const connector = first !== undefined && isConnectorId(first) ? first : undefined;
  const operationName = connector === undefined ? undefined : before[before.indexOf(connector) + 1];
  const operation =
    connector !== undefined &&
    operationName !== undefined &&
    Object.hasOwn(COMMANDS[connector], operationName)
      ? COMMANDS[connector][operationName]
      : undefined;
  if (previous !== undefined && previous.startsWith('--')) {
    if (previous === '--auth') return filter(await authNames(io, connector ?? connectorOf(words)));
    const values =
      operation?.choices?.[previous] ??
      (connector === undefined ? node.choices?.[previous] : COMMON[connector].choices[previous]) ??
      // `cioc run`'s flags are an operation command's (its connector is in the operation id).
      (first === 'run' ? COMMON[connectorOf(words) ?? 'track'].choices[previous] : undefined);
    if (values !== undefined) return filter(values);
    // Another flag's value (a file, a number): nothing to offer.
    const valued = connector === undefined ? node.valued : COMMON[connector].valued;
    if (valued?.includes(previous) === true) return [];
  }
  if (connector !== undefined) {
    if (operationName === undefined) return filter(Object.keys(COMMANDS[connector]));
    if (operation === undefined) return [];
    return filter([
      ...operation.flags,
      ...COMMON[connector].flags,
      ...(operation.paged === true ? ['--all', '--max-pages'] : []),
    ]);
  }
  // `cioc run <operation id>`, `cioc describe <operation id>`.
  if (current.startsWith('-')) return filter(node.flags ?? []);
  if ((first === 'run' || first === 'describe') && before.length === 1)
    return filter(CONNECTOR_IDS.flatMap((c) => Object.values(COMMANDS[c]).map((command) => command.id)));
  // `cioc auth show <name>`.
  if (first === 'auth' && second !== undefined && TAKES_AUTH_NAME.has(second) && before.length === 2)
    return filter(await authNames(io));
  if (node.subcommands !== undefined) return filter(Object.keys(node.subcommands));
  if (node.args !== undefined && positionals === 0) return filter(node.args);
  // A positional argument still to come (a file, an id): nothing, so the shell offers its files.
  if (positionals < (node.positionals ?? 0)) return [];
  return filter(node.flags ?? []);
}

/**
 * `cioc __complete -- <words…>`, straight from `bin/cioc.js`: one candidate per line on stdout.
 * A failure prints nothing (a Tab is no place for an error) and exits 1.
 */
export async function completeCommand(args: readonly string[], io: Io): Promise<number> {
  const words = args[0] === '--' ? args.slice(1) : args;
  try {
    const candidates = await completions(io, words);
    if (candidates.length > 0) io.stdout.write(`${candidates.join('\n')}\n`);
    return 0;
  } catch {
    return 1;
  }
}

export function completionScript(shell: string): string {
  if (shell === 'bash') {
    return `# cioc completion for bash. Load with: source <(cioc completion bash)
_cioc_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(cioc __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _cioc_complete cioc
`;
  }
  if (shell === 'zsh') {
    return `#compdef cioc
# cioc completion for zsh. Load with: source <(cioc completion zsh)
_cioc() {
  local -a candidates
  candidates=("\${(@f)$(cioc __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef _cioc cioc
`;
  }
  if (shell === 'fish') {
    return `# cioc completion for fish. Load with: cioc completion fish | source
# (or save it as ~/.config/fish/completions/cioc.fish)
function __cioc_complete
    set -l words (commandline -opc) (commandline -ct)
    cioc __complete -- $words[2..-1] 2>/dev/null
end
complete -c cioc -f -a '(__cioc_complete)'
`;
  }
  throw new ValidationError(`Unknown shell "${shell}": use bash, zsh or fish`);
}
