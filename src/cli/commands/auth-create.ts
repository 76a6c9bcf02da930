/**
 * `cioc auth create`. On a terminal it asks for whatever the flags left out, in the order of the
 * console's "New authentication" modal: name, scope, connector, region, the Site ID (Track) and
 * the key (without echo); then it offers to test the credentials (`cioc auth test`'s region
 * diagnosis) before saving, and to switch to the region the key belongs to. In a pipe nothing can
 * be asked: every missing flag is named in one error.
 */
import { CONNECTORS, type Credentials } from '../../connectors.js';
import { testAuthentication, type TestReport } from '../../diagnose.js';
import { AbortedError, ConfigError, ValidationError } from '../../errors.js';
import {
  CONNECTOR_IDS,
  isConnectorId,
  isRegion,
  REGIONS,
  type ConnectorId,
  type Region,
} from '../../regions.js';
import {
  checkBaseUrlOverride,
  SCOPES,
  storeExists,
  type AuthenticationInfo,
  type Scope,
} from '../../store/auth-store.js';
import { isHuman, paint, type Io } from '../io.js';
import { withStore } from '../open-store.js';
import { isInteractive, Prompter, readSecretFromStdin } from '../prompt.js';

export interface CreateFlags {
  name?: string;
  connector?: string;
  scope?: string;
  region?: string;
  siteId?: string;
  apiKey?: string;
  apiKeyStdin?: boolean;
  baseUrl?: string;
  allowCustomBaseUrl?: boolean;
  default?: boolean;
  /** `--test` tests before saving without asking; `--no-test` never tests. */
  test?: boolean;
}

const PLAIN_SECRET_WARNING =
  'warning: a secret given as a flag value can end up in shell history and process lists; prefer --api-key-stdin or the prompt.\n';

const SCOPE_ALIASES: Readonly<Record<string, Scope>> = {
  organizational: 'organisational',
  org: 'organisational',
};

/** Creates the authentication and returns it (as saved, with its test result when one was run). */
export async function createAuthentication(io: Io, flags: CreateFlags): Promise<AuthenticationInfo> {
  if (flags.apiKey !== undefined && flags.apiKeyStdin === true)
    throw new ValidationError('Give --api-key or --api-key-stdin, not both.');
  if (flags.apiKey !== undefined) io.stderr.write(PLAIN_SECRET_WARNING);
  // Standard input is the key's when --api-key-stdin is given: nothing else can be asked there.
  const prompter = isInteractive(io) && flags.apiKeyStdin !== true ? new Prompter(io) : undefined;
  let chosen: {
    name: string;
    scope: Scope;
    connector: ConnectorId;
    region: Region;
    credentials: Credentials;
  };
  let report: TestReport | undefined;
  try {
    chosen = prompter === undefined ? await fromFlags(io, flags) : await ask(prompter, flags, taken(io));
    if (prompter !== undefined && flags.test !== false) {
      if (flags.test === true || (await prompter.confirm('Test the credentials now?', true))) {
        report = await runTest(io, chosen, flags);
        if (!report.ok && report.accountRegion !== undefined && report.accountRegion !== chosen.region) {
          if (await prompter.confirm(`Use the ${report.accountRegion} region instead?`, true)) {
            chosen.region = report.accountRegion;
            report = await runTest(io, chosen, flags);
          }
        }
        if (!report.ok && !(await prompter.confirm('Save it anyway?', false)))
          throw new AbortedError(`Not saved: "${chosen.name}" failed its test (${report.message})`);
      }
    } else if (flags.test === true) {
      report = await runTest(io, chosen, flags);
      if (!report.ok) {
        const error = new ConfigError(`Not saved: the test failed: ${report.message}`);
        if (report.fix !== undefined) error.hint = `Use --region ${report.accountRegion ?? ''}`;
        throw error;
      }
    }
  } finally {
    prompter?.close();
  }
  return withStore(io, (store) => {
    let info = store.create({
      name: chosen.name,
      connector: chosen.connector,
      scope: chosen.scope,
      region: chosen.region,
      baseUrl: flags.baseUrl,
      credentials: chosen.credentials,
      allowCustomBaseUrl: flags.allowCustomBaseUrl,
    });
    const ref = { id: info.id };
    if (report !== undefined) {
      store.recordTest(ref, report);
      info = store.get(ref);
    }
    return flags.default === true ? store.setDefault(ref) : info;
  });
}

/** In a pipe: the flags, or one error naming every missing one. */
async function fromFlags(io: Io, flags: CreateFlags) {
  const missing: string[] = [];
  if (flags.name === undefined) missing.push('--name');
  if (flags.connector === undefined) missing.push('--connector');
  const connector = flags.connector;
  if (connector !== undefined && !isConnectorId(connector))
    throw new ValidationError(`Unknown connector "${connector}": use ${CONNECTOR_IDS.join(', ')}`);
  const fields =
    connector === undefined ? CONNECTORS.track.credentialFields : CONNECTORS[connector].credentialFields;
  for (const field of fields) {
    if (field.key === 'siteId' && flags.siteId === undefined)
      missing.push(connector === undefined ? '--site-id (for track)' : '--site-id');
    if (field.key === 'apiKey' && flags.apiKey === undefined && flags.apiKeyStdin !== true)
      missing.push('--api-key-stdin');
  }
  if (missing.length > 0)
    throw new ValidationError(
      `Missing ${listed(missing)}: standard input is not a terminal, so nothing can be asked (e.g. cioc auth create --name prod-track --connector track --site-id <id> --api-key-stdin < key.txt)`,
    );
  const credentials: Credentials = {};
  if (flags.siteId !== undefined) credentials.siteId = flags.siteId;
  if (flags.apiKey !== undefined) credentials.apiKey = flags.apiKey;
  if (flags.apiKeyStdin === true) credentials.apiKey = await readSecretFromStdin(io);
  return {
    name: flags.name ?? '',
    // Checked by the store, which names a bad scope or region with the rest.
    scope: (flags.scope ?? 'personal') as Scope,
    connector: connector as ConnectorId,
    region: (flags.region ?? 'us') as Region,
    credentials,
  };
}

/** Whether the user already has an authentication of this name and scope (asked before the key). */
function taken(io: Io): (name: string, scope: Scope) => boolean {
  return (name, scope) =>
    storeExists(io.env) &&
    withStore(io, (store) => store.list().some((a) => a.name === name && a.scope === scope));
}

/** On a terminal: what the flags did not say, in the modal's order. */
async function ask(prompter: Prompter, flags: CreateFlags, isTaken: (name: string, scope: Scope) => boolean) {
  let name = flags.name;
  while (name === undefined || name === '') name = await prompter.ask('Name (e.g. prod-track)');
  const scope =
    flags.scope !== undefined && (SCOPES as readonly string[]).includes(flags.scope)
      ? (flags.scope as Scope)
      : await prompter.choose('Scope: only you, or every member of the organisation', SCOPES, {
          defaultValue: 'personal',
          aliases: SCOPE_ALIASES,
        });
  // Said now rather than after the key is typed; the store still checks when it saves.
  for (let tries = 0; isTaken(name, scope); tries++) {
    if (flags.name !== undefined || tries === 2)
      throw new ValidationError(
        `${scope === 'personal' ? 'A personal' : 'An organisational'} authentication named "${name}" already exists`,
        [{ path: '/name', message: 'is taken' }],
      );
    prompter.say(`You already have a ${scope} authentication named "${name}".`);
    name = await prompter.ask('Another name');
  }
  const connector =
    flags.connector !== undefined && isConnectorId(flags.connector)
      ? flags.connector
      : await prompter.choose('Connector', CONNECTOR_IDS, { defaultValue: 'track' });
  const region =
    flags.region !== undefined && isRegion(flags.region)
      ? flags.region
      : await prompter.choose('Region', REGIONS, { defaultValue: 'us' });
  const credentials: Credentials = {};
  if (flags.siteId !== undefined) credentials.siteId = flags.siteId;
  if (flags.apiKey !== undefined) credentials.apiKey = flags.apiKey;
  for (const field of CONNECTORS[connector].credentialFields) {
    while (credentials[field.key] === undefined || credentials[field.key] === '')
      credentials[field.key] = await prompter.ask(field.label, { secret: field.secret });
  }
  return { name, scope, connector, region, credentials };
}

async function runTest(
  io: Io,
  chosen: { name: string; connector: ConnectorId; region: Region; credentials: Credentials },
  flags: CreateFlags,
): Promise<TestReport> {
  // The store's rule before any key leaves: a us/eu key goes to Customer.io unless allowed.
  if (flags.baseUrl !== undefined && chosen.region !== 'emulator')
    checkBaseUrlOverride(chosen.connector, chosen.region, flags.baseUrl, flags.allowCustomBaseUrl);
  // Told to a person; in a pipe the saved result (`last_test`) or the error says it.
  const human = isHuman(io, false);
  if (human) io.stderr.write(`Testing the ${chosen.connector} credentials in the ${chosen.region} region…\n`);
  const report = await testAuthentication(
    {
      name: chosen.name,
      connector: chosen.connector,
      region: chosen.region,
      baseUrl: flags.baseUrl,
      credentials: chosen.credentials,
    },
    { emulatorUrl: io.env['CIOC_EMULATOR_URL'] },
  );
  if (human) io.stderr.write(`${report.ok ? paint(io, 32, '✓') : paint(io, 31, '✗')} ${report.message}\n`);
  return report;
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
