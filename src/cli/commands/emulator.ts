/** `cioc emulator`: serves the emulator until interrupted. */
import { readFile } from 'node:fs/promises';
import { createEmulator } from '../../emulator/server.js';
import { findOperation } from '../../operations/registry.js';
import { DEFAULT_WORKSPACE, type WorkspaceConfig } from '../../emulator/model/workspace.js';
import { parseRateLimits, type EmulatorRateLimits } from '../../emulator/rate-limit.js';
import { ValidationError } from '../../errors.js';
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
  const origin = await emulator.listen({
    port,
    host: flags.host ?? env['CIOC_EMULATOR_HOST'] ?? '127.0.0.1',
  });
  io.stdout.write(
    [
      `Customer.io emulator listening on ${origin} (workspace region ${workspace.region})`,
      `  Track    ${origin}/api      Basic  site id ${workspace.siteId}, Track API key ${mask(workspace.trackApiKey)}`,
      `  App      ${origin}/v1       Bearer App API key ${mask(workspace.appApiKey)}`,
      `  Beta     ${origin}/v1/api   Bearer App API key ${mask(workspace.appApiKey)}`,
      `  Control  ${origin}/__emulator/health`,
      `  Reporting webhooks are signed with ${mask(workspace.webhookSigningKey)}`,
      ...(Object.keys(rateLimits).length > 0
        ? [
            `  Rate limits: ${Object.entries(rateLimits)
              .map(([family, n]) => `${family} ${String(n)}/s`)
              .join(', ')} (429 + Retry-After beyond)`,
          ]
        : []),
      `Use it: CIOC_REGION=emulator CIOC_EMULATOR_URL=${origin} cioc run …   (Ctrl-C stops)`,
      '',
    ].join('\n'),
  );
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
