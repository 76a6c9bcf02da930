/**
 * Which credentials, region and base URL a command uses. Precedence, for each part:
 *   1. the command line: `--auth <name>`, or explicit credential flags (`--site-id`, `--api-key`,
 *      `--api-key-stdin`); `--region` and `--base-url` override either;
 *   2. environment variables: `CIOC_SITE_ID`, `CIOC_TRACK_API_KEY`, `CIOC_APP_API_KEY`,
 *      `CIOC_REGION`, `CIOC_BASE_URL`;
 *   3. the user's default authentication for the connector (`cioc auth default <name>`).
 * The store is opened only when an authentication is named or a default may exist; its code (and
 * SQLite) is not even loaded for credentials from flags or the environment (start-up, issue #12).
 */
import { CONNECTORS, type Credentials } from '../connectors.js';
import { ConfigError } from '../errors.js';
import { isRegion, type ConnectorId, type Region } from '../regions.js';
import { readSecretFromStdin } from './prompt.js';
import type { Io } from './io.js';

/** The store's code, loaded by the branches that read the store. */
async function storeCode() {
  const [{ openStore }, { checkBaseUrlOverride, referenceFor, storeExists }] = await Promise.all([
    import('./open-store.js'),
    import('../store/auth-store.js'),
  ]);
  return { openStore, checkBaseUrlOverride, referenceFor, storeExists };
}

export interface ConnectionFlags {
  auth?: string | undefined;
  siteId?: string | undefined;
  apiKey?: string | undefined;
  apiKeyStdin?: boolean | undefined;
  region?: string | undefined;
  baseUrl?: string | undefined;
  /** Lets `--base-url`/`CIOC_BASE_URL` send a stored us/eu authentication's key elsewhere. */
  allowCustomBaseUrl?: boolean | undefined;
}

export interface Connection {
  region: Region;
  credentials: Credentials;
  baseUrl: string | undefined;
  emulatorUrl: string | undefined;
  /** Where the credentials came from, as shown by `--dry-run`. */
  source: string;
  /** The authentication used, when one was. */
  authentication?: string;
}

export async function resolveConnection(
  connector: ConnectorId,
  flags: ConnectionFlags,
  io: Io,
): Promise<Connection> {
  const env = io.env;
  const fields = CONNECTORS[connector].credentialFields;
  const emulatorUrl = env['CIOC_EMULATOR_URL'];
  const regionOverride =
    checkRegion(flags.region, '--region') ?? checkRegion(env['CIOC_REGION'], 'CIOC_REGION');
  const baseOverride = flags.baseUrl ?? nonEmpty(env['CIOC_BASE_URL']);

  if (flags.auth !== undefined) {
    if (flags.siteId !== undefined || flags.apiKey !== undefined || flags.apiKeyStdin === true) {
      throw new ConfigError(
        'Give either --auth or credential flags (--site-id, --api-key, --api-key-stdin), not both.',
      );
    }
    const { openStore, checkBaseUrlOverride, referenceFor } = await storeCode();
    const store = openStore(io);
    try {
      const auth = store.resolve(flags.auth);
      if (auth.connector !== connector) {
        const error = new ConfigError(
          `The authentication "${auth.name}" is for the ${auth.connector} connector, not ${connector}.`,
        );
        // A Personal one may shadow an Organisational one of the same name that fits.
        const all = store.list();
        const fits = all.find((a) => a.name === auth.name && a.connector === connector);
        if (fits !== undefined) error.hint = `Use --auth ${referenceFor(fits, all)}`;
        throw error;
      }
      const region = checkRegion(flags.region, '--region') ?? auth.region;
      const override = flags.baseUrl;
      guardOverride(connector, region, override, auth.baseUrl, flags, checkBaseUrlOverride);
      return {
        region,
        credentials: auth.credentials,
        baseUrl: override ?? auth.baseUrl ?? undefined,
        emulatorUrl,
        source: `authentication "${auth.name}" (${auth.scope}, owner ${auth.owner}; --auth)`,
        authentication: auth.name,
      };
    } finally {
      store.close();
    }
  }

  if (flags.siteId !== undefined || flags.apiKey !== undefined || flags.apiKeyStdin === true) {
    const credentials: Credentials = {};
    if (flags.siteId !== undefined) credentials.siteId = flags.siteId;
    if (flags.apiKey !== undefined) credentials.apiKey = flags.apiKey;
    if (flags.apiKeyStdin === true) credentials.apiKey = await readSecretFromStdin(io);
    // Parts not on the command line may still come from the environment (e.g. the Site ID).
    for (const field of fields) credentials[field.key] ??= nonEmpty(env[field.env]);
    requireAll(connector, credentials);
    return {
      region: regionOverride ?? 'us',
      credentials,
      baseUrl: baseOverride,
      emulatorUrl,
      source: 'command-line flags',
    };
  }

  const fromEnv = fields.filter((f) => nonEmpty(env[f.env]) !== undefined);
  if (fromEnv.length > 0) {
    const credentials: Credentials = {};
    for (const field of fields) credentials[field.key] = nonEmpty(env[field.env]);
    requireAll(connector, credentials);
    return {
      region: regionOverride ?? 'us',
      credentials,
      baseUrl: baseOverride,
      emulatorUrl,
      source: `environment (${fromEnv.map((f) => f.env).join(', ')})`,
    };
  }

  const { openStore, checkBaseUrlOverride, storeExists } = await storeCode();
  if (storeExists(env)) {
    const store = openStore(io);
    try {
      const auth = store.defaultFor(connector);
      if (auth !== undefined) {
        const region = regionOverride ?? auth.region;
        guardOverride(connector, region, baseOverride, auth.baseUrl, flags, checkBaseUrlOverride);
        return {
          region,
          credentials: auth.credentials,
          baseUrl: baseOverride ?? auth.baseUrl ?? undefined,
          emulatorUrl,
          source: `default authentication "${auth.name}" for ${connector} (${auth.scope}, owner ${auth.owner})`,
          authentication: auth.name,
        };
      }
    } finally {
      store.close();
    }
  }

  const envNames = fields.map((f) => f.env).join(' and ');
  throw new ConfigError(
    `No credentials for the ${connector} connector: pass --auth <name>, set ${envNames}, or make an authentication the default with \`cioc auth default <name>\`.`,
  );
}

/**
 * A stored authentication's key goes only where its owner allowed: a base URL given for this
 * command over a us/eu authentication follows the store's own rule (Customer.io's base URL, the one
 * stored with it, or `--allow-custom-base-url`). Keys given on the command line or in the
 * environment are the user's own to send anywhere; the emulator region takes any base URL.
 */
function guardOverride(
  connector: ConnectorId,
  region: Region,
  override: string | undefined,
  stored: string | null,
  flags: ConnectionFlags,
  checkBaseUrlOverride: (connector: ConnectorId, region: Region, baseUrl: string, allowed?: boolean) => void,
): void {
  if (override === undefined || region === 'emulator') return;
  if (stored !== null && override.replace(/\/+$/, '') === stored) return;
  checkBaseUrlOverride(connector, region, override, flags.allowCustomBaseUrl);
}

/** Credentials from flags or the environment that lack a part: named as the CLI takes them. */
function requireAll(connector: ConnectorId, credentials: Credentials): void {
  const def = CONNECTORS[connector];
  const missing = def.credentialFields.filter((f) => credentials[f.key] === undefined);
  if (missing.length > 0)
    throw new ConfigError(
      `The ${def.title} connector needs ${missing.map((f) => `${f.label} (${f.env} or --${f.flag})`).join(' and ')}.`,
    );
}

function checkRegion(value: string | undefined, from: string): Region | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isRegion(value))
    throw new ConfigError(`Unknown region "${value}" (from ${from}): use us, eu or emulator.`);
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
