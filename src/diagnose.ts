/**
 * `cioc auth test`: does this authentication work, and is it in the right region?
 *
 * - Track: `GET /v1/accounts/region` names the account's region; when it differs from the
 *   authentication's, say so and how to fix it.
 * - App/Beta: a cheap authenticated read (`GET /workspaces`). A 401 alone cannot tell a bad key
 *   from a key of the other region, so on 401 the other region is probed: if the key works there,
 *   the key belongs to that region.
 */
import type { Dispatcher } from 'undici';
import { createClient } from './client.js';
import type { Credentials } from './connectors.js';
import { CiocError, UnauthorizedError } from './errors.js';
import type { ConnectorId, Region } from './regions.js';

export interface TestSubject {
  name?: string | undefined;
  connector: ConnectorId;
  region: Region;
  baseUrl?: string | null | undefined;
  credentials: Credentials;
}

export interface TestOptions {
  emulatorUrl?: string | undefined;
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number | undefined;
}

export interface TestReport {
  ok: boolean;
  message: string;
  /** The region the account or key belongs to, when it could be told. */
  accountRegion?: 'us' | 'eu';
  /** What to run to fix a region mismatch. */
  fix?: string;
}

const OTHER: Record<'us' | 'eu', 'us' | 'eu'> = { us: 'eu', eu: 'us' };

export async function testAuthentication(
  subject: TestSubject,
  options: TestOptions = {},
): Promise<TestReport> {
  const clientFor = (region: Region, baseUrl: string | null | undefined) =>
    createClient({
      connector: subject.connector,
      region,
      credentials: subject.credentials,
      baseUrl: baseUrl ?? undefined,
      emulatorUrl: options.emulatorUrl,
      dispatcher: options.dispatcher,
      timeoutMs: options.timeoutMs ?? 5_000,
      retry: { maxRetries: 1 },
    });
  const rename = subject.name === undefined ? '<name>' : JSON.stringify(subject.name);
  const client = clientFor(subject.region, subject.baseUrl);
  try {
    if (subject.connector === 'track') {
      const response = await client.run('track.raw_http_request', {
        method: 'GET',
        endpoint: '/v1/accounts/region',
      });
      const body = response.body as { region?: unknown; environment_id?: unknown };
      const accountRegion = body.region === 'eu' ? 'eu' : body.region === 'us' ? 'us' : undefined;
      const where = `workspace ${text(body.environment_id, '?')}`;
      if (accountRegion !== undefined && subject.region !== 'emulator' && accountRegion !== subject.region) {
        return {
          ok: false,
          accountRegion,
          message: `The credentials work, but the account (${where}) is in the ${accountRegion.toUpperCase()} region while this authentication says ${subject.region.toUpperCase()}. Customer.io forwards Track traffic across regions, but it crosses ${subject.region.toUpperCase()} servers and App/Beta calls would fail.`,
          fix: `cioc auth update ${rename} --region ${accountRegion}`,
        };
      }
      return {
        ok: true,
        ...(accountRegion === undefined ? {} : { accountRegion }),
        message: `OK: the Track credentials work; the account (${where}) is in the ${text(body.region, 'unknown').toUpperCase()} region.`,
      };
    }
    const response = await client.run(`${subject.connector}.raw_http_request`, {
      method: 'GET',
      endpoint: '/workspaces',
    });
    const workspaces = (response.body as { workspaces?: { name?: unknown }[] }).workspaces ?? [];
    const names = workspaces.map((w) => text(w.name, '?')).join(', ');
    return { ok: true, message: `OK: the App API key works${names === '' ? '' : ` (workspace ${names})`}.` };
  } catch (error) {
    if (
      error instanceof UnauthorizedError &&
      subject.connector !== 'track' &&
      (subject.region === 'us' || subject.region === 'eu') &&
      !subject.baseUrl
    ) {
      const other = OTHER[subject.region];
      const probe = clientFor(other, undefined);
      try {
        await probe.run(`${subject.connector}.raw_http_request`, { method: 'GET', endpoint: '/workspaces' });
        return {
          ok: false,
          accountRegion: other,
          message: `This key belongs to the ${other.toUpperCase()} region: it is refused in ${subject.region.toUpperCase()} and accepted in ${other.toUpperCase()}.`,
          fix: `cioc auth update ${rename} --region ${other}`,
        };
      } catch {
        return {
          ok: false,
          message: 'The key was refused (401) in both regions: it is wrong, revoked, or not an App API key.',
        };
      } finally {
        await probe.close();
      }
    }
    if (error instanceof UnauthorizedError) {
      const why =
        subject.connector === 'track' ? 'check the Site ID and Track API key' : 'check the App API key';
      const regionNote = subject.baseUrl
        ? ' (with a base-URL override the other region cannot be probed)'
        : '';
      return {
        ok: false,
        message: `The credentials were refused (401): ${why}, and the region${regionNote}.`,
      };
    }
    if (error instanceof CiocError) return { ok: false, message: `The test call failed: ${error.message}` };
    throw error;
  } finally {
    await client.close();
  }
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}
