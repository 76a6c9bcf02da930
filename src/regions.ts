/**
 * The one region table: every base URL of every connector, per region. Nothing else in the code
 * base writes a Customer.io host name.
 */
import { ConfigError } from './errors.js';

export const REGIONS = ['us', 'eu', 'emulator'] as const;
export type Region = (typeof REGIONS)[number];

export const CONNECTOR_IDS = ['track', 'app', 'beta'] as const;
export type ConnectorId = (typeof CONNECTOR_IDS)[number];

export const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:4010';

/** For the emulator region, the connector's path under the emulator's origin. */
const REGION_TABLE: Record<Exclude<Region, 'emulator'>, Record<ConnectorId, string>> & {
  emulator: Record<ConnectorId, string>;
} = {
  us: {
    track: 'https://track.customer.io/api',
    app: 'https://api.customer.io/v1',
    beta: 'https://beta-api.customer.io/v1/api',
  },
  eu: {
    track: 'https://track-eu.customer.io/api',
    app: 'https://api-eu.customer.io/v1',
    beta: 'https://beta-api-eu.customer.io/v1/api',
  },
  emulator: {
    track: '/api',
    app: '/v1',
    beta: '/v1/api',
  },
};

export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && (REGIONS as readonly string[]).includes(value);
}

export function isConnectorId(value: unknown): value is ConnectorId {
  return typeof value === 'string' && (CONNECTOR_IDS as readonly string[]).includes(value);
}

export interface BaseUrlOptions {
  /** Origin of the emulator for the `emulator` region (default http://127.0.0.1:4010). */
  emulatorUrl?: string | undefined;
}

/** The base URL for a connector in a region, without a trailing slash. */
export function baseUrlFor(connector: ConnectorId, region: Region, options: BaseUrlOptions = {}): string {
  if (region !== 'emulator') return REGION_TABLE[region][connector];
  const origin = checkedHttpUrl(options.emulatorUrl ?? DEFAULT_EMULATOR_URL, 'emulator URL');
  return `${origin.replace(/\/+$/, '')}${REGION_TABLE.emulator[connector]}`;
}

/**
 * Validates a user-supplied base or emulator URL: http(s) only, no credentials, query or fragment.
 * Returns it without a trailing slash.
 */
export function checkedHttpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`The ${what} "${value}" is not a valid URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`The ${what} must use http or https, not ${url.protocol.replace(':', '')}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`The ${what} must not contain credentials.`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(`The ${what} must not contain a query or fragment.`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
