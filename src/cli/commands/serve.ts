/** `cioc serve`: the HTTP API, the workflow engine and the triggers, until interrupted. */
import { ValidationError } from '../../errors.js';
import { createServer } from '../../server/server.js';
import type { Io } from '../io.js';
import { untilStopped } from '../until-stopped.js';

export interface ServeFlags {
  host?: string;
  port?: string;
  emulatorUrl?: string;
  concurrency?: string;
  keepRuns?: string;
  keepDays?: string;
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

export async function serveCommand(io: Io, flags: ServeFlags): Promise<void> {
  const env = io.env;
  const port = positive(flags.port ?? env['CIOC_PORT'], '--port', 0, 65535) ?? 3000;
  const host = flags.host ?? (env['CIOC_HOST'] || '127.0.0.1');
  const keepRuns = positive(flags.keepRuns ?? env['CIOC_KEEP_RUNS'], '--keep-runs');
  const keepDays = positive(flags.keepDays ?? env['CIOC_KEEP_DAYS'], '--keep-days');
  const server = await createServer({
    env,
    emulatorUrl: flags.emulatorUrl ?? (env['CIOC_EMULATOR_URL'] || undefined),
    concurrency: positive(flags.concurrency, '--concurrency', 1, 256),
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
  let origin: string;
  try {
    origin = await server.listen({ port, host });
  } catch (error) {
    await server.close();
    throw new ValidationError(`Cannot listen on ${host}:${String(port)}: ${(error as Error).message}`);
  }
  io.stdout.write(
    [
      `cioc serve listening on ${origin} (store ${server.services.connection.home})`,
      `  API      ${origin}/api   (Authorization: Bearer <token from \`cioc token create --user EMAIL\`)`,
      `  Docs     ${origin}/api/docs   OpenAPI ${origin}/api/openapi.json`,
      `  Hooks    ${origin}/hooks/<workflow id>/<token>`,
      '(Ctrl-C stops)',
      '',
    ].join('\n'),
  );
  await untilStopped(() => server.close());
}
