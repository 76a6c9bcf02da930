/**
 * The built web console (Vite's output, `dist/console/`) served at `/`: files as they are, hashed
 * `/assets/*` cached for a year, `index.html` revalidated every time, and `index.html` for any
 * other HTML GET (client-side routes such as `/workflows/wf_123`). A `.br` or `.gz` beside a file
 * is sent instead when the browser accepts it. Nothing outside the folder is ever read: the path
 * is decoded once, resolved inside the root, and its real path (symbolic links followed) checked.
 *
 * A small handler rather than @fastify/static: it needs exactly this, and the SPA fallback and
 * precompressed variants are a few lines each here.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** `<package>/dist/console` (this file is `src/server/` or `dist/server/`, two levels down). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths the console never answers (the API's and the webhooks' own 404s stay JSON). */
const NOT_CONSOLE = /^\/(api|hooks)(\/|$)/;

export interface ConsoleFiles {
  /** Answers the GET/HEAD if it is the console's; false when it is not (the caller 404s). */
  serve(request: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

export function consoleFiles(dir: string): ConsoleFiles {
  const root = resolve(dir);
  let realRoot: string | undefined;

  /** The file's real path if it is a regular file inside the root; undefined otherwise. */
  const inside = async (path: string): Promise<{ path: string; size: number } | undefined> => {
    try {
      realRoot ??= await realpath(root);
      const real = await realpath(path);
      const rel = relative(realRoot, real);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
      const info = await stat(real);
      return info.isFile() ? { path: real, size: info.size } : undefined;
    } catch {
      return undefined;
    }
  };

  const send = async (
    request: FastifyRequest,
    reply: FastifyReply,
    file: { path: string; size: number },
    cache: string,
  ): Promise<void> => {
    const type = TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
    const accepted = request.headers['accept-encoding'] ?? '';
    let chosen = file;
    let encoding: string | undefined;
    for (const [name, suffix] of [
      ['br', '.br'],
      ['gzip', '.gz'],
    ] as const) {
      if (!acceptsEncoding(accepted, name)) continue;
      const variant = await inside(`${file.path}${suffix}`);
      if (variant !== undefined) {
        chosen = variant;
        encoding = name;
        break;
      }
    }
    void reply
      .header('content-type', type)
      .header('cache-control', cache)
      .header('vary', 'Accept-Encoding')
      .header('content-length', String(chosen.size));
    if (encoding !== undefined) void reply.header('content-encoding', encoding);
    if (request.method === 'HEAD') return reply.send();
    return reply.send(createReadStream(chosen.path));
  };

  return {
    async serve(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const pathname = (request.url.split('?')[0] ?? '/').split('#')[0] ?? '/';
      if (NOT_CONSOLE.test(pathname)) return false;
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        return false;
      }
      // A NUL, a backslash or a `..` segment is never a console file (refused before the disk).
      const traversal = decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..');
      if (!traversal && decoded !== '/' && !decoded.endsWith('/')) {
        const candidate = join(root, decoded);
        if (candidate.startsWith(root + sep)) {
          const file = await inside(candidate);
          if (file !== undefined) {
            const cache = decoded.startsWith('/assets/') ? IMMUTABLE : REVALIDATE;
            await send(request, reply, file, cache);
            return true;
          }
        }
      }
      // Client-side routes have no extension; a missing `/logo.png` is a 404, not the page.
      const last = decoded.split('/').at(-1) ?? '';
      const isRoute = !last.includes('.') || last.endsWith('.html');
      if (traversal || decoded.startsWith('/assets/') || !isRoute || !acceptsHtml(request)) return false;
      const index = await inside(join(root, 'index.html'));
      if (index === undefined) {
        void reply
          .code(503)
          .header('content-type', 'text/html; charset=utf-8')
          .header('cache-control', 'no-store');
        await reply.send(NOT_BUILT);
        return true;
      }
      await send(request, reply, index, REVALIDATE);
      return true;
    },
  };
}

/** A browser navigating asks for HTML; `*` alone (curl) is answered with the page too. */
function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '*/*';
  return accept.includes('text/html') || accept.includes('*/*');
}

function acceptsEncoding(header: string, name: string): boolean {
  return header.split(',').some((part) => {
    const [token, ...params] = part.trim().split(';');
    if (token?.trim().toLowerCase() !== name) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cioc console not built</title></head>
<body><h1>The cioc console is not built</h1>
<p>This server found no <code>dist/console/index.html</code>. Build it from the checkout with
<code>npm run build</code> (<code>npm start</code> builds before starting), then reload.</p>
<p>The HTTP API works without it: <a href="/api/docs">/api/docs</a>.</p></body></html>
`;
