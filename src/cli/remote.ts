/** Calls to a `cioc serve` server (`--server URL --token T`, or CIOC_SERVER / CIOC_TOKEN). */
import { CiocError, ConfigError, ConnectionError, EXIT, isRecord, type ErrorJson } from '../errors.js';
import type { Io } from './io.js';

export interface RemoteFlags {
  server?: string;
  token?: string;
}

/** The server's own error, with an exit code from its status. */
export class ServerAnswerError extends CiocError {
  readonly type: string;
  readonly exitCode: number;

  constructor(
    readonly status: number,
    private readonly json: ErrorJson,
  ) {
    super(json.message);
    this.type = json.type;
    this.exitCode =
      status === 400 && json.type === 'validation'
        ? EXIT.usage
        : status === 401
          ? EXIT.authOrConfig
          : status >= 500
            ? EXIT.api5xxOrNetwork
            : EXIT.api4xx;
  }

  override toJSON(): ErrorJson {
    return { ...this.json, status: this.status };
  }
}

export async function remoteCall(
  io: Io,
  flags: RemoteFlags,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const server = (flags.server ?? (io.env['CIOC_SERVER'] || 'http://127.0.0.1:3000')).replace(/\/+$/, '');
  const token = flags.token ?? io.env['CIOC_TOKEN'];
  if (token === undefined || token === '')
    throw new ConfigError(
      'An API token is needed: --token or CIOC_TOKEN (create one with `cioc token create --user EMAIL`)',
    );
  if (!/^https?:\/\//.test(server)) throw new ConfigError(`--server must be an http(s) URL, not "${server}"`);
  let response: Response;
  try {
    response = await fetch(`${server}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ConnectionError(`Cannot reach the server ${server} (${cause})`, { beforeSend: true });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  if (!response.ok) {
    const error =
      isRecord(json) && isRecord(json['error']) ? (json['error'] as unknown as ErrorJson) : undefined;
    throw new ServerAnswerError(
      response.status,
      error ?? { type: 'server', message: `The server answered ${String(response.status)}` },
    );
  }
  return json;
}
