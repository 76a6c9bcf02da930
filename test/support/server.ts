/** A real `cioc serve` in-process on a loopback port, over a fresh CIOC_HOME, and a small client. */
import { afterAll } from 'vitest';
import { createServer, type Server, type ServerOptions } from '../../src/server/server.js';
import { freshHome } from './cli.js';
import { CREDENTIALS } from './emulator.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RunningServer {
  server: Server;
  url: string;
  home: string;
  /** Every response body seen, for "no secret anywhere" checks. */
  seen: string[];
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** A user with a password and an API token. */
  user(email: string, options?: { admin?: boolean }): Promise<{ id: number; token: string }>;
}

export async function startServer(options: ServerOptions = {}, home = freshHome()): Promise<RunningServer> {
  const server = await createServer({
    home,
    env: {},
    client: { retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    warn: () => undefined,
    ...options,
  });
  const url = await server.listen({ port: 0 });
  const seen: string[] = [];
  afterAll(async () => {
    await server.close();
  });
  return {
    server,
    url,
    home,
    seen,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) body = JSON.stringify(opts.body);
      if (body !== undefined && headers['content-type'] === undefined)
        headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      seen.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    async user(email, userOptions = {}) {
      const user = await server.services.accounts.createUser({
        email,
        password: 'a long password',
        ...userOptions,
      });
      const token = await server.services.accounts.createToken(user.id, 'test');
      return { id: user.id, token: token.token };
    },
  };
}

export const TRACK_AUTH = {
  name: 'Emulator Track',
  connector: 'track',
  region: 'emulator',
  credentials: { site_id: CREDENTIALS.track.siteId, api_key: CREDENTIALS.track.apiKey },
};
