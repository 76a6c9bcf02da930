/**
 * The three connectors, as values: title, version, auth scheme and the credential fields each needs.
 * Auth is chosen by connector, never by looking at a URL.
 */
import { ConfigError } from './errors.js';
import type { ConnectorId } from './regions.js';

export type AuthScheme = 'basic' | 'bearer';

export interface CredentialField {
  /** Key in the library's `credentials` object. */
  readonly key: 'siteId' | 'apiKey';
  readonly label: string;
  /** CLI flag (kebab-case). */
  readonly flag: string;
  /** Environment variable read by the CLI. */
  readonly env: string;
  readonly secret: boolean;
}

export interface ConnectorDef {
  readonly id: ConnectorId;
  readonly title: string;
  readonly version: string;
  readonly description: string;
  readonly auth: AuthScheme;
  readonly credentialFields: readonly CredentialField[];
}

export interface Credentials {
  siteId?: string | undefined;
  apiKey?: string | undefined;
}

const APP_KEY: CredentialField = {
  key: 'apiKey',
  label: 'App API key',
  flag: 'api-key',
  env: 'CIOC_APP_API_KEY',
  secret: true,
};

export const CONNECTORS: Readonly<Record<ConnectorId, ConnectorDef>> = {
  track: {
    id: 'track',
    title: 'Customer.io Track',
    version: '2.0',
    description:
      'Send people, events, devices and segment membership to Customer.io (Track API v1 and v2). HTTP Basic auth with the Site ID and Track API key.',
    auth: 'basic',
    credentialFields: [
      { key: 'siteId', label: 'Site ID', flag: 'site-id', env: 'CIOC_SITE_ID', secret: false },
      { key: 'apiKey', label: 'Track API key', flag: 'api-key', env: 'CIOC_TRACK_API_KEY', secret: true },
    ],
  },
  app: {
    id: 'app',
    title: 'Customer.io App',
    version: '1.0',
    description:
      'Transactional sends, broadcasts, customers, segments, campaigns, exports and workspace configuration (App API). Bearer auth with the App API key.',
    auth: 'bearer',
    credentialFields: [APP_KEY],
  },
  beta: {
    id: 'beta',
    title: 'Customer.io Beta',
    version: '1.0',
    description: "The App API's routes on the legacy Beta host (beta-api). Bearer auth with the App API key.",
    auth: 'bearer',
    credentialFields: [APP_KEY],
  },
};

/** The `Authorization` header value for a connector. Throws `ConfigError` naming what is missing. */
export function authorizationHeader(connector: ConnectorId, credentials: Credentials | undefined): string {
  const def = CONNECTORS[connector];
  credentials = requireCredentials(connector, credentials);
  const apiKey = credentials.apiKey ?? '';
  if (def.auth === 'basic') {
    const siteId = credentials.siteId ?? '';
    if (siteId.includes(':')) throw new ConfigError('The Site ID must not contain ":".');
    return `Basic ${Buffer.from(`${siteId}:${apiKey}`, 'utf8').toString('base64')}`;
  }
  return `Bearer ${apiKey}`;
}

/** The credentials, when every field the connector needs is there; else a `ConfigError` naming them. */
export function requireCredentials(
  connector: ConnectorId,
  credentials: Credentials | undefined,
): Credentials {
  const def = CONNECTORS[connector];
  const given: unknown = credentials;
  if (given !== undefined && (typeof given !== 'object' || given === null))
    throw new ConfigError(
      `credentials must be an object like { ${def.credentialFields.map((f) => f.key).join(', ')} }.`,
    );
  const missing = def.credentialFields.filter((f) => !nonEmpty(credentials?.[f.key]));
  if (missing.length > 0 || credentials === undefined) throw missingCredentials(def, missing);
  return credentials;
}

/**
 * What the library says when credentials are missing: the option to pass, in the library's terms
 * (the CLI names its own flags and variables before it gets here).
 */
function missingCredentials(def: ConnectorDef, missing: readonly CredentialField[]): ConfigError {
  const names = missing.map((f) => `credentials.${f.key} (the ${f.label})`).join(' and ');
  const shape = def.credentialFields.map((f) => f.key).join(', ');
  const variables = def.credentialFields.map((f) => f.env).join(' and ');
  return new ConfigError(`The ${def.title} connector needs ${names}.`, {
    hint: `Pass them as createClient({ connector: '${def.id}', credentials: { ${shape} } }), or use createClient(fromEnv('${def.id}')) to read ${variables}.`,
  });
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
