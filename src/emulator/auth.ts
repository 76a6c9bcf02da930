/** Emulator authentication, exactly as the real APIs: Basic on Track routes, Bearer on App/Beta routes. */
import type { WorkspaceConfig } from './model/workspace.js';

export type RouteFamily = 'track' | 'track-public' | 'app' | 'control' | 'unknown';

/** Which API a path belongs to (one port serves all three hosts' path spaces). */
export function routeFamily(method: string, path: string): RouteFamily {
  if (path.startsWith('/__emulator/') || path === '/__emulator') return 'control';
  // track.json lists these with `security: []` (no auth); official SDKs send Basic anyway.
  if (path.startsWith('/unsubscribe/')) return 'track-public';
  // `/push/events` is the legacy, unprefixed form the Ruby client still posts to.
  if (
    method === 'POST' &&
    (path === '/api/v1/metrics' || path === '/api/v1/push/events' || path === '/push/events')
  )
    return 'track-public';
  if (path.startsWith('/api/')) return 'track';
  if (path.startsWith('/v1/')) return 'app';
  return 'unknown';
}

export function basicCredentials(header: string | undefined): { siteId: string; apiKey: string } | undefined {
  // Either base64 alphabet: standard (`+/`) or URL-safe (`-_`), padded or not.
  const match = /^Basic\s+([A-Za-z0-9+/\-_]+={0,2})\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { siteId: decoded.slice(0, colon), apiKey: decoded.slice(colon + 1) };
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The region a request was addressed to, from its Host header, when it names a Customer.io host
 * (`*-eu.customer.io` → eu, other `*.customer.io` → us). Requests to the emulator's own address
 * carry no region.
 */
export function hostRegion(host: string | undefined): 'us' | 'eu' | undefined {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!name.endsWith('.customer.io')) return undefined;
  return name.endsWith('-eu.customer.io') ? 'eu' : 'us';
}

export function isAuthorized(
  family: RouteFamily,
  header: string | undefined,
  workspace: WorkspaceConfig,
  host?: string,
): boolean {
  switch (family) {
    case 'track': {
      // Customer.io forwards Track traffic sent to the other region's host: no region check.
      const credentials = basicCredentials(header);
      return credentials?.siteId === workspace.siteId && credentials.apiKey === workspace.trackApiKey;
    }
    case 'app': {
      // An App key works only on its own region's hosts; elsewhere it is refused with 401.
      const region = hostRegion(host);
      return (
        bearerToken(header) === workspace.appApiKey && (region === undefined || region === workspace.region)
      );
    }
    default:
      return true;
  }
}
