/**
 * Where the CLI gets a connection from. For now: environment variables (`CIOC_REGION`,
 * `CIOC_SITE_ID`, `CIOC_TRACK_API_KEY`, `CIOC_APP_API_KEY`, `CIOC_EMULATOR_URL`) and flags.
 */
import { CONNECTORS, type Credentials } from '../connectors.js';
import { ConfigError } from '../errors.js';
import { isRegion, type ConnectorId, type Region } from '../regions.js';

export interface ConnectionFlags {
  region?: string | undefined;
  baseUrl?: string | undefined;
}

export interface Connection {
  region: Region;
  credentials: Credentials;
  baseUrl: string | undefined;
  emulatorUrl: string | undefined;
  /** Where each part came from, for `--dry-run`. */
  source: string;
}

export function connectionFromEnv(
  connector: ConnectorId,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
): Connection {
  const regionText = flags.region ?? env['CIOC_REGION'] ?? 'us';
  if (!isRegion(regionText)) {
    throw new ConfigError(
      `Unknown region "${regionText}" (from ${flags.region !== undefined ? '--region' : 'CIOC_REGION'}): use us, eu or emulator.`,
    );
  }
  const credentials: Credentials = {};
  for (const field of CONNECTORS[connector].credentialFields) {
    const value = env[field.env];
    if (value !== undefined && value !== '') credentials[field.key] = value;
  }
  return {
    region: regionText,
    credentials,
    baseUrl: flags.baseUrl ?? env['CIOC_BASE_URL'],
    emulatorUrl: env['CIOC_EMULATOR_URL'],
    source: 'environment',
  };
}
