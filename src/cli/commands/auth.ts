/** `cioc auth …`: named authentications in the local store. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Credentials } from '../../connectors.js';
import { testAuthentication } from '../../diagnose.js';
import { AbortedError, ConfigError, ValidationError } from '../../errors.js';
import { CONNECTOR_IDS, isConnectorId, REGIONS } from '../../regions.js';
import { referenceFor, SCOPES, storeExists, type AuthenticationInfo } from '../../store/auth-store.js';
import { printJson, printText, type Io } from '../io.js';
import { createAuthentication, type CreateFlags } from './auth-create.js';
import { openStore, withStore } from '../open-store.js';
import { formatTable } from '../output.js';
import { isInteractive, Prompter, readSecretFromStdin } from '../prompt.js';

interface SecretFlags {
  siteId?: string;
  apiKey?: string;
  apiKeyStdin?: boolean;
}

const ALLOW_FLAG = '--allow-custom-base-url';
const ALLOW_HELP =
  'let a us/eu authentication send its key to the --base-url host instead of Customer.io (e.g. your own proxy)';

const PLAIN_SECRET_WARNING =
  'warning: a secret given as a flag value can end up in shell history and process lists; prefer --api-key-stdin or the prompt.\n';

async function credentialsFrom(io: Io, flags: SecretFlags): Promise<Credentials> {
  if (flags.apiKey !== undefined && flags.apiKeyStdin === true)
    throw new ValidationError('Give --api-key or --api-key-stdin, not both.');
  const credentials: Credentials = {};
  if (flags.siteId !== undefined) credentials.siteId = flags.siteId;
  if (flags.apiKey !== undefined) {
    io.stderr.write(PLAIN_SECRET_WARNING);
    credentials.apiKey = flags.apiKey;
  }
  if (flags.apiKeyStdin === true) credentials.apiKey = await readSecretFromStdin(io);
  return credentials;
}

function summary(info: AuthenticationInfo): Record<string, unknown> {
  return {
    name: info.name,
    connector: info.connector,
    scope: info.scope,
    region: info.region,
    base_url: info.baseUrl,
    owner: info.owner,
    key: info.key,
    default: info.isDefault,
    last_test: info.lastTest,
    created_at: info.createdAt,
    updated_at: info.updatedAt,
  };
}

export function registerAuthCommands(program: Command, io: Io): void {
  const auth = program
    .command('auth')
    .description('Named authentications: create, list, show, update, delete, test, default.');

  auth
    .command('create')
    .description('Create a named authentication (prompts for what is missing on a terminal).')
    .option('--name <name>', 'a name that says which account/environment and connector, e.g. prod-track')
    .addOption(new Option('--connector <connector>', 'track, app or beta').choices(CONNECTOR_IDS))
    .addOption(
      new Option('--scope <scope>', 'personal (only you) or organisational (every member)').choices(SCOPES),
    )
    .addOption(new Option('--region <region>', 'us (default), eu or emulator').choices(REGIONS))
    .option('--site-id <id>', 'Track Site ID')
    .option('--api-key <key>', 'Track API key or App API key (prefer --api-key-stdin or the prompt)')
    .option('--api-key-stdin', 'read the API key from standard input')
    .option('--base-url <url>', 'base-URL override (a proxy or an emulator), http or https')
    .option(ALLOW_FLAG, ALLOW_HELP)
    .option('--default', 'also make it your default for its connector')
    .option('--test', 'test the credentials before saving, without asking; a failed test saves nothing')
    .option('--no-test', 'on a terminal: do not offer to test the credentials')
    .action(async (flags: CreateFlags) => {
      printJson(io, summary(await createAuthentication(io, flags)));
    });

  auth
    .command('list')
    .description('List the authentications you can use (never a secret).')
    .option('--json', 'print JSON')
    .addOption(new Option('--connector <connector>', 'only this connector').choices(CONNECTOR_IDS))
    .action((flags: { json?: boolean; connector?: string }) => {
      // Listing is no reason to create a store (and a master key) where there is none.
      const all = storeExists(io.env) ? withStore(io, (store) => store.list()) : [];
      const list = isConnectorId(flags.connector) ? all.filter((a) => a.connector === flags.connector) : all;
      // What picks each one with --auth: its name, or scope:name when a Personal and an
      // Organisational one share it.
      const reference = (a: AuthenticationInfo): string => referenceFor(a, all);
      if (flags.json === true) {
        printJson(
          io,
          list.map((a) => ({ ...summary(a), reference: reference(a) })),
        );
        return;
      }
      if (list.length === 0) {
        printText(io, 'No authentications yet. Create one with `cioc auth create`.');
        return;
      }
      const rows = list.map((a) => [
        `${reference(a)}${a.isDefault ? ' *' : ''}`,
        a.connector,
        a.scope,
        a.region,
        a.owner,
        a.key,
        a.lastTest === null
          ? 'never'
          : `${a.lastTest.ok ? 'ok' : 'failed'} ${a.lastTest.at.slice(0, 16).replace('T', ' ')}`,
      ]);
      const notes = [
        ...(list.some((a) => a.isDefault) ? ['* your default for its connector'] : []),
        ...(list.some((a) => reference(a) !== a.name)
          ? ['personal:NAME / organisational:NAME pick one of two that share a name (--auth, auth show…)']
          : []),
      ];
      printText(
        io,
        [
          formatTable(['NAME', 'CONNECTOR', 'SCOPE', 'REGION', 'OWNER', 'KEY', 'LAST TEST'], rows),
          ...(notes.length === 0 ? [] : ['', ...notes]),
        ].join('\n'),
      );
    });

  auth
    .command('show')
    .description('Show one authentication (never a secret).')
    .argument('<name>')
    .action((name: string) => {
      printJson(io, summary(withStore(io, (store) => store.get(name))));
    });

  auth
    .command('update')
    .description('Rotate keys, rename, change the region or the base URL.')
    .argument('<name>')
    .option('--rename <new-name>', 'a new name')
    .addOption(new Option('--region <region>', 'us, eu or emulator').choices(REGIONS))
    .option('--site-id <id>', 'a new Track Site ID')
    .option('--api-key <key>', 'a new API key (prefer --api-key-stdin)')
    .option('--api-key-stdin', 'read the new API key from standard input')
    .option('--base-url <url>', 'a new base-URL override')
    .option('--clear-base-url', 'remove the base-URL override')
    .option(ALLOW_FLAG, ALLOW_HELP)
    .action(
      async (
        name: string,
        flags: SecretFlags & {
          rename?: string;
          region?: string;
          baseUrl?: string;
          clearBaseUrl?: boolean;
          allowCustomBaseUrl?: boolean;
        },
      ) => {
        if (flags.baseUrl !== undefined && flags.clearBaseUrl === true)
          throw new ValidationError('Give --base-url or --clear-base-url, not both.');
        const credentials = await credentialsFrom(io, flags);
        const changed = withStore(io, (store) =>
          store.update(name, {
            name: flags.rename,
            region: flags.region,
            baseUrl: flags.clearBaseUrl === true ? null : flags.baseUrl,
            credentials: Object.keys(credentials).length > 0 ? credentials : undefined,
            allowCustomBaseUrl: flags.allowCustomBaseUrl,
          }),
        );
        printJson(io, summary(changed));
      },
    );

  auth
    .command('delete')
    .description('Delete an authentication (asks first; without a terminal to ask on, only with --yes).')
    .argument('<name>')
    .option('--yes', 'delete without asking (needed when standard input is not a terminal)')
    .action(async (name: string, flags: { yes?: boolean }) => {
      if (flags.yes !== true) {
        const auth = withStore(io, (store) => store.resolve(name));
        // As gh does: what cannot be confirmed is not deleted (a script says --yes).
        if (!isInteractive(io))
          throw new ValidationError(
            `Not deleted: "${auth.name}" cannot be confirmed without a terminal; pass --yes to delete it without asking.`,
          );
        const prompter = new Prompter(io);
        let answer: string;
        try {
          answer = await prompter.ask(
            `Delete the ${auth.scope} ${auth.connector} authentication "${auth.name}"? (y/N)`,
          );
        } finally {
          prompter.close();
        }
        if (!/^y(es)?$/i.test(answer))
          throw new AbortedError(`Not deleted: "${auth.name}" was kept (answer y to delete, or pass --yes).`);
      }
      const deleted = withStore(io, (store) => store.delete(name));
      printJson(io, { deleted: deleted.name, connector: deleted.connector, scope: deleted.scope });
    });

  auth
    .command('default')
    .description('Make an authentication your default for its connector.')
    .argument('<name>')
    .action((name: string) => {
      printJson(io, summary(withStore(io, (store) => store.setDefault(name))));
    });

  auth
    .command('test')
    .description('Check that an authentication works and is in the right region.')
    .argument('<name>')
    .option('--timeout <ms>', 'timeout of each test call (default 5000)')
    .action(async (name: string, flags: { timeout?: string }) => {
      const store = openStore(io);
      try {
        const subject = store.resolve(name);
        const report = await testAuthentication(
          {
            name: subject.name,
            connector: subject.connector,
            region: subject.region,
            baseUrl: subject.baseUrl,
            credentials: subject.credentials,
          },
          {
            emulatorUrl: io.env['CIOC_EMULATOR_URL'],
            timeoutMs: flags.timeout === undefined ? undefined : Number(flags.timeout),
          },
        );
        // Anyone who may use it may test it; only its owner or an admin changes its recorded result.
        const recorded = store.recordTest(name, report);
        if (!recorded) {
          io.stderr.write(
            `note: the result is not recorded on "${subject.name}": only its owner (${subject.owner}) or an admin records test results.\n`,
          );
        }
        printJson(io, {
          name: subject.name,
          connector: subject.connector,
          region: subject.region,
          ...report,
          recorded,
        });
        if (!report.ok) {
          const error = new ConfigError(report.message);
          if (report.fix !== undefined) error.hint = `Fix: ${report.fix}`;
          throw error;
        }
      } finally {
        store.close();
      }
    });
}
