/**
 * `cioc serve`: the web console, the HTTP API, the workflow engine and the triggers, until
 * interrupted; with `--emulator`, an in-process Customer.io emulator beside them that
 * `emulator`-region authentications point at (what `npm start` runs).
 */
import { createEmulator, DEFAULT_WORKSPACE, type Emulator } from '../../emulator/index.js';
import { ValidationError } from '../../errors.js';
import { createServer, type Server } from '../../server/server.js';
import type { Io } from '../io.js';
import { untilStopped } from '../until-stopped.js';

export interface ServeFlags {
  host?: string;
  port?: string;
  emulatorUrl?: string;
  concurrency?: string;
  keepRuns?: string;
  keepDays?: string;
  emulator?: boolean;
  emulatorPort?: string;
  trustProxy?: boolean;
}

function positive(value: string | undefined, flag: string, min = 1, max = 1_000_000): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError(
      `${flag} must be an integer from ${String(min)} to ${String(max)}, not "${value}"`,
    );
  return n;
}

/** A port taken, or any other reason not to listen, as one clear line (exit 2, no stack). */
const LOOPBACK = ['localhost', '127.0.0.1', '::1', '[::1]'];

/**
 * On a loopback address only the loopback names (and CIOC_ALLOWED_HOSTS) are answered: a web page
 * on another name that resolves to 127.0.0.1 (DNS rebinding) gets a 421, so it cannot claim the
 * first account or act as a signed-in user's page. Bound elsewhere, CIOC_ALLOWED_HOSTS (if set)
 * lists the names served.
 */
function allowedHosts(host: string, env: NodeJS.ProcessEnv): string[] | undefined {
  const extra = (env['CIOC_ALLOWED_HOSTS'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (LOOPBACK.includes(host.toLowerCase()) || host.startsWith('127.')) return [...LOOPBACK, host, ...extra];
  return extra.length > 0 ? extra : undefined;
}

function listenError(error: unknown, host: string, port: number, flag: string): ValidationError {
  if ((error as { code?: string }).code === 'EADDRINUSE')
    return new ValidationError(
      `Port ${String(port)} on ${host} is already in use: stop what uses it, or choose another port with ${flag}`,
    );
  return new ValidationError(`Cannot listen on ${host}:${String(port)}: ${(error as Error).message}`);
}

export async function serveCommand(io: Io, flags: ServeFlags): Promise<void> {
  const env = io.env;
  const port = positive(flags.port ?? env['CIOC_PORT'], '--port', 0, 65535) ?? 3000;
  const host = flags.host ?? (env['CIOC_HOST'] || '127.0.0.1');
  const keepRuns = positive(flags.keepRuns ?? env['CIOC_KEEP_RUNS'], '--keep-runs');
  const keepDays = positive(flags.keepDays ?? env['CIOC_KEEP_DAYS'], '--keep-days');
  const concurrency = positive(flags.concurrency, '--concurrency', 1, 256);
  if (flags.emulator === true && flags.emulatorUrl !== undefined)
    throw new ValidationError(
      '--emulator starts an emulator here; --emulator-url points at another: use one',
    );
  const emulatorPort = positive(flags.emulatorPort, '--emulator-port', 0, 65535) ?? 4010;
  if (flags.emulatorPort !== undefined && flags.emulator !== true)
    throw new ValidationError('--emulator-port needs --emulator');

  let emulator: Emulator | undefined;
  let emulatorOrigin: string | undefined;
  if (flags.emulator === true) {
    emulator = createEmulator();
    // Always on loopback: it accepts well-known keys and is for this machine's server only.
    try {
      emulatorOrigin = await emulator.listen({ port: emulatorPort, host: '127.0.0.1' });
    } catch (error) {
      await emulator.close();
      throw listenError(error, '127.0.0.1', emulatorPort, '--emulator-port');
    }
  }
  let server: Server;
  try {
    server = await createServer({
      env,
      emulatorUrl: emulatorOrigin ?? flags.emulatorUrl ?? (env['CIOC_EMULATOR_URL'] || undefined),
      concurrency,
      trustProxy: flags.trustProxy === true,
      allowedHosts: allowedHosts(host, env),
      retention:
        keepRuns === undefined && keepDays === undefined
          ? undefined
          : {
              ...(keepRuns === undefined ? {} : { keepRuns }),
              ...(keepDays === undefined ? {} : { keepDays }),
            },
      warn: (message, details) => {
        io.stderr.write(
          `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), message, ...details })}\n`,
        );
      },
    });
  } catch (error) {
    await emulator?.close();
    throw error;
  }
  let origin: string;
  try {
    origin = await server.listen({ port, host });
  } catch (error) {
    await server.close();
    await emulator?.close();
    throw listenError(error, host, port, '--port');
  }
  io.stdout.write(
    [
      `Console   ${origin}`,
      ...(emulatorOrigin === undefined
        ? []
        : [
            `Emulator  ${emulatorOrigin}   (region "emulator": site id ${DEFAULT_WORKSPACE.siteId}, Track API key ${DEFAULT_WORKSPACE.trackApiKey}, App API key ${DEFAULT_WORKSPACE.appApiKey}: public test values)`,
          ]),
      `API       ${origin}/api   (the console's session, or Authorization: Bearer <token from \`cioc token create --user EMAIL\`>)`,
      `Docs      ${origin}/api/docs   OpenAPI ${origin}/api/openapi.json`,
      `Hooks     ${origin}/hooks/<workflow id>/<token>`,
      `Store     ${server.services.connection.home}`,
      '(Ctrl-C stops)',
      '',
    ].join('\n'),
  );
  await untilStopped(async () => {
    await server.close();
    await emulator?.close();
  });
}
