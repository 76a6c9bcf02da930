/**
 * `cioc completion bash|zsh|fish` prints a script that asks `cioc __complete` for candidates, so
 * completion always matches the registry and the user's authentications.
 */
import { ValidationError } from '../../errors.js';
import { CONNECTOR_IDS, isConnectorId, REGIONS, type ConnectorId } from '../../regions.js';
import { storeExists } from '../../store/location.js';
import { COMMANDS } from '../generated/completion-words.js';
import type { Io } from '../io.js';

// Completion runs on every Tab, so it loads a generated table of commands and flags
// (`npm run gen`) instead of the registry and its schemas, and reads the store (SQLite, read-only,
// names only) only to complete an authentication's name. `bin/cioc.js` comes here straight, without commander.

const TOP = [
  'auth',
  'completion',
  'describe',
  'emulator',
  'ops',
  'run',
  'serve',
  'token',
  'user',
  'workflow',
  ...CONNECTOR_IDS,
];
const WORKFLOW = ['validate', 'run', 'resume'];
const AUTH = ['create', 'default', 'delete', 'list', 'show', 'test', 'update'];
const COMMON = [
  '--input',
  '--auth',
  '--api-key',
  '--api-key-stdin',
  '--region',
  '--base-url',
  '--allow-custom-base-url',
  '--dry-run',
  '--timeout',
  '--max-retries',
  '--output',
  '--verbose',
  '--json',
  '--help',
];
const SHELLS = ['bash', 'zsh', 'fish'];
/**
 * The values of the enum flags outside the operation commands (theirs are in the generated table),
 * as commander's `.choices()` lists them: `auth create --scope`, `emulator --workspace-region`,
 * `workflow push --visibility` (test/completion.test.ts checks them against the real commands).
 */
const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  '--region': REGIONS,
  '--connector': CONNECTOR_IDS,
  '--output': ['json', 'ndjson', 'table'],
  '--scope': ['personal', 'organisational'],
  '--workspace-region': ['us', 'eu'],
  '--visibility': ['private', 'organisation'],
};

/** The flags of an operation command, as `commonOptions` gives them (`--site-id` on Track only). */
function commonFlags(connector: string | undefined, paginated: boolean): string[] {
  return [
    ...COMMON,
    ...(connector === undefined || connector === 'track' ? ['--site-id'] : []),
    ...(paginated ? ['--all', '--max-pages'] : []),
  ];
}

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

/** Candidates for the word being completed, given the words before it (without `cioc`). */
export async function completions(io: Io, words: readonly string[]): Promise<string[]> {
  const previous = words.at(-2);
  const current = words.at(-1) ?? '';
  // Case-insensitive, as the CLI takes values (`--method get` is GET).
  const typed = current.toLowerCase();
  const filter = (candidates: readonly string[]): string[] =>
    candidates.filter((c) => c.toLowerCase().startsWith(typed));
  const [first, second] = words;
  // An enum flag's values: the operation command's own (generated), else the CLI's.
  const command =
    first !== undefined &&
    isConnectorId(first) &&
    second !== undefined &&
    Object.hasOwn(COMMANDS[first], second)
      ? COMMANDS[first][second]
      : undefined;
  const values = previous === undefined ? undefined : (command?.choices?.[previous] ?? FLAG_VALUES[previous]);
  if (values !== undefined) return filter(values);
  if (previous === '--auth') return filter(await authNames(io, connectorOf(words)));
  if (words.length <= 1) return filter(TOP);
  if (first === 'workflow') return words.length === 2 ? filter(WORKFLOW) : [];
  if (first === 'auth') {
    if (words.length === 2) return filter(AUTH);
    if (
      words.length === 3 &&
      second !== undefined &&
      ['show', 'update', 'delete', 'test', 'default'].includes(second)
    )
      return filter(await authNames(io));
    return [];
  }
  if (first === 'run' || first === 'describe') {
    if (words.length === 2)
      return filter(CONNECTOR_IDS.flatMap((c) => Object.values(COMMANDS[c]).map((command) => command.id)));
    return first === 'run' ? filter(commonFlags(undefined, true)) : [];
  }
  if (first === 'completion') return words.length === 2 ? filter(SHELLS) : [];
  if (isConnectorId(first)) {
    const commands = COMMANDS[first];
    if (words.length === 2) return filter(Object.keys(commands));
    if (command === undefined) return [];
    return filter([...command.flags, ...commonFlags(first, command.paged === true)]);
  }
  return [];
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
