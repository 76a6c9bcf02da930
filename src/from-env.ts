/**
 * `createClient(fromEnv('track'))`: client options from the documented `CIOC_*` variables, the
 * same ones the CLI reads — `CIOC_SITE_ID`, `CIOC_TRACK_API_KEY`, `CIOC_APP_API_KEY`,
 * `CIOC_REGION`, `CIOC_BASE_URL`, `CIOC_EMULATOR_URL`. The library reads the environment only here,
 * and only when asked.
 */
import type { ClientOptions } from './client.js';
import { CONNECTORS, type Credentials } from './connectors.js';
import { ConfigError } from './errors.js';
import { isConnectorId, isRegion, type ConnectorId } from './regions.js';

export function fromEnv<C extends ConnectorId>(
  connector: C,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ClientOptions<C> {
  if (!isConnectorId(connector))
    throw new ConfigError(`Unknown connector "${String(connector)}": use track, app or beta.`);
  const def = CONNECTORS[connector];
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const missing = def.credentialFields.filter((f) => value(f.env) === undefined);
  if (missing.length > 0)
    throw new ConfigError(
      `fromEnv('${connector}'): ${missing.map((f) => `${f.env} (the ${f.label})`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set.`,
    );
  const credentials: Credentials = {};
  for (const field of def.credentialFields) credentials[field.key] = value(field.env);
  const region = value('CIOC_REGION');
  if (region !== undefined && !isRegion(region))
    throw new ConfigError(`CIOC_REGION is "${region}": use us, eu or emulator.`);
  return {
    connector,
    credentials,
    region: region ?? 'us',
    baseUrl: value('CIOC_BASE_URL'),
    emulatorUrl: value('CIOC_EMULATOR_URL'),
  };
}
