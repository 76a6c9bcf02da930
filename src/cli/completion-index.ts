/**
 * What shell completion needs to know, derived from the CLI itself: the operation commands from
 * the registry (per connector, each command's operation id, its own flags, the choices of its enum
 * flags and whether it pages), and every other command from the commander program (its
 * subcommands, flags, the choices of its enum flags and positional arguments), plus the flags every
 * operation command of a connector shares. `npm run gen` writes it to
 * `src/cli/generated/completion-words.ts`, so that a Tab loads a plain table instead of commander,
 * the registry and its schemas (test/generated.test.ts fails when the committed file is stale).
 */
import { PassThrough } from 'node:stream';
import type { Argument, Command, Option } from 'commander';
import type { CompletionCommon, CompletionNode } from './completion-types.js';
import type { Io } from './io.js';
import { listOperations } from '../operations/registry.js';
import { paginationOf } from '../operations/pagination.js';
import { CONNECTOR_IDS } from '../regions.js';
import { flagsFor, kebab } from './schema-flags.js';

export const COMPLETION_WORDS_PATH = 'src/cli/generated/completion-words.ts';

const choicesOf = (x: Option | Argument): string[] | undefined => x.argChoices;

function nodeOf(command: Command, operationCommands: boolean): CompletionNode {
  const node: { -readonly [K in keyof CompletionNode]: CompletionNode[K] } = {};
  const options = command.options.filter((o) => !o.hidden && o.long !== undefined);
  const flags = [...options.map((o) => o.long ?? ''), '--help'];
  if (command.parent !== null) node.flags = flags;
  const valued = options.filter((o) => o.required || o.optional).map((o) => o.long ?? '');
  if (valued.length > 0) node.valued = valued;
  const choices = Object.fromEntries(
    options.flatMap((o) => {
      const c = choicesOf(o);
      return c === undefined ? [] : [[o.long ?? '', c]];
    }),
  );
  if (Object.keys(choices).length > 0) node.choices = choices;
  if (command.registeredArguments.length > 0) node.positionals = command.registeredArguments.length;
  const first = command.registeredArguments[0];
  const args = first === undefined ? undefined : choicesOf(first);
  if (args !== undefined) node.args = args;
  // The operation commands are in COMMANDS (with their ids and paging): not again here.
  const subs = operationCommands ? [] : command.commands.filter((c) => !c.name().startsWith('__'));
  if (subs.length > 0)
    node.subcommands = Object.fromEntries(
      subs.map((c) => [c.name(), nodeOf(c, command.parent === null && isConnector(c.name()))]),
    );
  return node;
}

const isConnector = (name: string): boolean => (CONNECTOR_IDS as readonly string[]).includes(name);

/**
 * The flags every operation command of a connector has (the common ones: credentials, output…), as
 * commander has them: the flags of its commands that no input schema gave, `--all`/`--max-pages`
 * aside (listings only).
 */
function commonFlagsOf(connector: Command): CompletionCommon {
  const own = new Map(
    listOperations(connector.name() as (typeof CONNECTOR_IDS)[number]).map((operation) => [
      kebab(operation.id.slice(connector.name().length + 1)),
      new Set(flagsFor(operation.input).map((s) => `--${s.flag}`)),
    ]),
  );
  const first = connector.commands.find((c) => own.has(c.name()));
  if (first === undefined) return { flags: [], valued: [], choices: {} };
  const mine = own.get(first.name()) ?? new Set<string>();
  const options = first.options.filter(
    (o) =>
      !o.hidden &&
      o.long !== undefined &&
      !mine.has(o.long) &&
      o.long !== '--all' &&
      o.long !== '--max-pages',
  );
  return {
    flags: [...options.map((o) => o.long ?? ''), '--help'],
    valued: options.filter((o) => o.required || o.optional).map((o) => o.long ?? ''),
    choices: Object.fromEntries(
      options.flatMap((o) => {
        const c = choicesOf(o);
        return c === undefined ? [] : [[o.long ?? '', c]];
      }),
    ),
  };
}

/** The CLI's commands, from the real program with every command group loaded. */
async function commandTree(): Promise<{ tree: CompletionNode; common: Record<string, CompletionCommon> }> {
  const { buildProgram } = await import('./main.js');
  const io: Io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {} };
  const build = (argv: string[]) => buildProgram(io, argv, () => undefined, { loadAll: true });
  const program = await build(['node', 'cioc']);
  // A connector's operation commands are built only when the command line names it.
  const common: Record<string, CompletionCommon> = {};
  for (const connector of CONNECTOR_IDS) {
    const command = (await build(['node', 'cioc', connector])).commands.find((c) => c.name() === connector);
    if (command !== undefined) common[connector] = commonFlagsOf(command);
  }
  return { tree: nodeOf(program, false), common };
}

/** The generated module's text. */
export async function completionWordsModule(): Promise<string> {
  const { tree, common } = await commandTree();
  const connectors = CONNECTOR_IDS.map((connector) => {
    const commands = listOperations(connector).map((operation) => {
      const specs = flagsFor(operation.input);
      const choices = Object.fromEntries(
        specs.filter((s) => s.kind === 'choice').map((s) => [`--${s.flag}`, s.choices]),
      );
      const entry = {
        id: operation.id,
        flags: specs.map((s) => `--${s.flag}`),
        ...(Object.keys(choices).length > 0 ? { choices } : {}),
        ...(paginationOf(operation) === undefined ? {} : { paged: true }),
      };
      return `    ${JSON.stringify(kebab(operation.id.slice(connector.length + 1)))}: ${JSON.stringify(entry)},`;
    });
    return `  ${connector}: {\n${commands.join('\n')}\n  },`;
  });
  return `// GENERATED by \`npm run gen\` from the registry (src/cli/completion-index.ts). Do not edit by hand.
// Shell completion reads this table instead of loading the registry and its schemas.
import type { ConnectorId } from '../../regions.js';
import type { CompletionCommand, CompletionCommon, CompletionNode } from '../completion-types.js';

/** The CLI's commands, from the commander program; a connector's operation commands are in COMMANDS. */
export const TREE: CompletionNode = ${JSON.stringify(tree)};

/** Per connector, the flags all its operation commands have (\`--all\`/\`--max-pages\`: listings only). */
export const COMMON: Readonly<Record<ConnectorId, CompletionCommon>> = ${JSON.stringify(common)};

/** Per connector, each operation command by name. */
export const COMMANDS: Readonly<Record<ConnectorId, Readonly<Record<string, CompletionCommand>>>> = {
${connectors.join('\n')}
};
`;
}
