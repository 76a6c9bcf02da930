/**
 * `cioc completion bash|zsh|fish` prints a script that asks `cioc __complete` for candidates, so
 * completion always matches the registry and the user's authentications.
 */
import { ValidationError } from '../../errors.js';
import { CONNECTOR_IDS, isConnectorId, REGIONS } from '../../regions.js';
import type { Io } from '../io.js';

// The registry (schemas) and the store (SQLite) are loaded only for the words that need them:
// completing a command name loads neither.
const registry = () => import('../../operations/registry.js');
const schemaFlags = () => import('../schema-flags.js');

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

/** The flags of an operation command, as `commonOptions` gives them (`--site-id` on Track only). */
function commonFlags(connector: string | undefined, paginated: boolean): string[] {
  return [
    ...COMMON,
    ...(connector === undefined || connector === 'track' ? ['--site-id'] : []),
    ...(paginated ? ['--all', '--max-pages'] : []),
  ];
}

async function authNames(io: Io): Promise<string[]> {
  const { AuthStore, storeExists } = await import('../../store/auth-store.js');
  if (!storeExists(io.env)) return [];
  try {
    // Completing a word is no place for warnings: the next real command gives them.
    const store = AuthStore.open({ env: io.env, onWarning: () => undefined });
    try {
      return store.list().map((a) => a.name);
    } finally {
      store.close();
    }
  } catch {
    return [];
  }
}

/** Candidates for the word being completed, given the words before it (without `cioc`). */
export async function completions(io: Io, words: readonly string[]): Promise<string[]> {
  const previous = words.at(-2);
  const current = words.at(-1) ?? '';
  const filter = (candidates: readonly string[]): string[] => candidates.filter((c) => c.startsWith(current));
  if (previous === '--region') return filter(REGIONS);
  if (previous === '--connector') return filter(CONNECTOR_IDS);
  if (previous === '--output') return filter(['json', 'ndjson', 'table']);
  if (previous === '--auth') return filter(await authNames(io));
  if (words.length <= 1) return filter(TOP);
  const [first, second] = words;
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
    if (words.length === 2) return filter((await registry()).listOperations().map((o) => o.id));
    return first === 'run' ? filter(commonFlags(undefined, true)) : [];
  }
  if (first === 'completion') return words.length === 2 ? filter(SHELLS) : [];
  if (isConnectorId(first)) {
    const [{ listOperations }, { flagsFor, kebab }, { paginationOf }] = await Promise.all([
      registry(),
      schemaFlags(),
      import('../../operations/pagination.js'),
    ]);
    const operations = listOperations(first);
    if (words.length === 2) return filter(operations.map((o) => kebab(o.id.slice(first.length + 1))));
    const operation = operations.find((o) => kebab(o.id.slice(first.length + 1)) === second);
    if (operation === undefined) return [];
    const specs = flagsFor(operation.input);
    // The value of an enum flag (`--type`, `--method`, `--body-type`): its choices.
    const choices = specs.find((f) => `--${f.flag}` === previous && f.kind === 'choice')?.choices;
    if (choices !== undefined) return filter(choices);
    return filter([
      ...specs.map((f) => `--${f.flag}`),
      ...commonFlags(first, paginationOf(operation) !== undefined),
    ]);
  }
  return [];
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
