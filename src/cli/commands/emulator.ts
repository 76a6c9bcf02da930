/** `cioc emulator`: serves the emulator until interrupted. */
import { readFile } from 'node:fs/promises';
import { createEmulator } from '../../emulator/server.js';
import { findOperation } from '../../operations/registry.js';
import { DEFAULT_WORKSPACE, type WorkspaceConfig } from '../../emulator/model/workspace.js';
import { parseRateLimits, type EmulatorRateLimits } from '../../emulator/rate-limit.js';
import { ConfigError, ValidationError } from '../../errors.js';
import type { Io } from '../io.js';
import { untilStopped } from '../until-stopped.js';

export interface EmulatorFlags {
  port?: string;
  host?: string;
  siteId?: string;
  trackApiKey?: string;
  appApiKey?: string;
  workspaceRegion?: string;
  rateLimit?: string;
  fixtures?: string;
  webhookSigningKey?: string;
}

export function mask(secret: string): string {
  return secret.length <= 4 ? '****' : `…${secret.slice(-4)}`;
}

/**
 * The emulator's default credentials are public test values (DEFAULT_WORKSPACE): shown in full, so
 * that the banner's "try it" works when pasted. A value someone chose is theirs: masked.
 */
function shown(value: string, fallback: string): string {
  return value === fallback ? value : mask(value);
}

function banner(origin: string, workspace: WorkspaceConfig, rateLimits: EmulatorRateLimits): string {
  const d = DEFAULT_WORKSPACE;
  const siteId = workspace.siteId;
  const trackKey = shown(workspace.trackApiKey, d.trackApiKey);
  const appKey = shown(workspace.appApiKey, d.appApiKey);
  const pasteable = (value: string, fallback: string, placeholder: string): string =>
    value === fallback ? value : placeholder;
  const exports = [
    'CIOC_REGION=emulator',
    `CIOC_EMULATOR_URL=${origin}`,
    `CIOC_SITE_ID=${quoteForShell(siteId)}`,
    `CIOC_TRACK_API_KEY=${pasteable(workspace.trackApiKey, d.trackApiKey, '<your --track-api-key>')}`,
    `CIOC_APP_API_KEY=${pasteable(workspace.appApiKey, d.appApiKey, '<your --app-api-key>')}`,
  ];
  return [
    `Customer.io emulator listening on ${origin} (workspace region ${workspace.region})`,
    `  Track    ${origin}/api      Basic   Site ID ${siteId}, Track API key ${trackKey}`,
    `  App      ${origin}/v1       Bearer  App API key ${appKey}`,
    `  Beta     ${origin}/v1/api   Bearer  App API key ${appKey}`,
    `  Control  ${origin}/__emulator/health`,
    `  Reporting webhooks are signed with ${shown(workspace.webhookSigningKey, d.webhookSigningKey)}`,
    ...(Object.keys(rateLimits).length > 0
      ? [
          `  Rate limits: ${Object.entries(rateLimits)
            .map(([family, n]) => `${family} ${String(n)}/s`)
            .join(', ')} (429 + Retry-After beyond)`,
        ]
      : []),
    '',
    'Try it, in another terminal:',
    `  export ${exports.join(' ')}`,
    '  cioc track create-or-update-customer --identifier 42 --email ada@example.com',
    '  cioc app get-customer-attributes --customer-id 42',
    '',
    'Ctrl-C stops.',
    '',
  ].join('\n');
}

function quoteForShell(value: string): string {
  return /^[A-Za-z0-9@._:/+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** `listen`, with a port already taken explained: which port, and the flag that changes it. */
async function listenOrExplain(
  emulator: ReturnType<typeof createEmulator>,
  port: number,
  host: string,
): Promise<string> {
  try {
    return await emulator.listen({ port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError(`Port ${String(port)} on ${host} is already in use (another emulator?).`, {
        hint: 'Choose another with --port <n> (or CIOC_EMULATOR_PORT), or --port 0 for any free port.',
      });
    if (code === 'EACCES')
      throw new ConfigError(`Not allowed to listen on port ${String(port)} of ${host}.`, {
        hint: 'Ports below 1024 need privileges: choose another with --port <n>.',
      });
    throw error;
  }
}

export async function emulatorCommand(io: Io, flags: EmulatorFlags): Promise<void> {
  const env = io.env;
  const port = Number(flags.port ?? env['CIOC_EMULATOR_PORT'] ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ValidationError(`--port must be 0–65535, not "${flags.port ?? ''}"`);
  const region = flags.workspaceRegion ?? env['CIOC_EMULATOR_REGION'] ?? 'us';
  if (region !== 'us' && region !== 'eu')
    throw new ValidationError(`--workspace-region must be us or eu, not "${region}"`);
  const workspace: WorkspaceConfig = {
    ...DEFAULT_WORKSPACE,
    siteId: flags.siteId ?? env['CIOC_EMULATOR_SITE_ID'] ?? DEFAULT_WORKSPACE.siteId,
    trackApiKey: flags.trackApiKey ?? env['CIOC_EMULATOR_TRACK_API_KEY'] ?? DEFAULT_WORKSPACE.trackApiKey,
    appApiKey: flags.appApiKey ?? env['CIOC_EMULATOR_APP_API_KEY'] ?? DEFAULT_WORKSPACE.appApiKey,
    webhookSigningKey:
      flags.webhookSigningKey ??
      env['CIOC_EMULATOR_WEBHOOK_SIGNING_KEY'] ??
      DEFAULT_WORKSPACE.webhookSigningKey,
    region,
  };
  let rateLimits: EmulatorRateLimits = {};
  const rateLimitText = flags.rateLimit ?? env['CIOC_EMULATOR_RATE_LIMIT'];
  if (rateLimitText !== undefined) {
    try {
      rateLimits = parseRateLimits(rateLimitText);
    } catch (error) {
      throw new ValidationError(`--rate-limit: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const fixturesFile = flags.fixtures ?? env['CIOC_EMULATOR_FIXTURES'];
  const fixtures = fixturesFile === undefined ? undefined : await readFixtures(fixturesFile);
  const emulator = createEmulator({ workspace, rateLimits, ...(fixtures === undefined ? {} : { fixtures }) });
  const host = flags.host ?? env['CIOC_EMULATOR_HOST'] ?? '127.0.0.1';
  const origin = await listenOrExplain(emulator, port, host);
  io.stdout.write(banner(origin, workspace, rateLimits));
  await untilStopped(() => emulator.close());
}

async function readFixtures(file: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ValidationError(
      `--fixtures ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError(`--fixtures ${file}: must be a JSON object of operation id → answer`);
  }
  const unknown = Object.keys(parsed).filter((id) => findOperation(id) === undefined);
  if (unknown.length > 0)
    throw new ValidationError(`--fixtures ${file}: unknown operations ${unknown.join(', ')}`);
  return parsed as Record<string, unknown>;
}
