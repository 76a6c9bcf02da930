/** Health, the OpenAPI document and its docs page. */
import { Type } from '../../json-schema.js';
import { VERSION } from '../../version.js';
import { openApiDocument } from '../openapi.js';
import { route, type RouteDef } from '../route.js';

export function systemRoutes(all: () => readonly RouteDef[]): RouteDef[] {
  let document: Record<string, unknown> | undefined;
  return [
    route({
      method: 'GET',
      url: '/api/health',
      summary: 'Is the server up (no login)',
      tags: ['system'],
      auth: false,
      schema: { response: { 200: Type.Object({ ok: Type.Literal(true), version: Type.String() }) } },
      async handler() {
        return { ok: true as const, version: VERSION };
      },
    }),
    route({
      method: 'GET',
      url: '/api/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document (no login)',
      tags: ['system'],
      auth: false,
      schema: {},
      async handler() {
        return (document ??= openApiDocument(all()));
      },
    }),
    route({
      method: 'GET',
      url: '/api/docs',
      summary: 'A page describing this API (no login)',
      tags: ['system'],
      auth: false,
      schema: {},
      async handler(ctx) {
        void ctx.reply.type('text/html; charset=utf-8');
        return docsPage(all());
      },
    }),
    route({
      method: 'GET',
      url: '/api/docs.css',
      summary: "The docs page's stylesheet (a file: the Content-Security-Policy allows no inline style)",
      tags: ['system'],
      auth: false,
      schema: {},
      async handler(ctx) {
        void ctx.reply.type('text/css; charset=utf-8');
        return DOCS_CSS;
      },
    }),
  ];
}

const DOCS_CSS =
  'body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}code{font-size:13px}\n';

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function docsPage(routes: readonly RouteDef[]): string {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method}</code></td><td><code>${escape(r.url)}</code></td><td>${escape(r.summary)}</td><td>${r.auth === false ? 'none' : 'token or session'}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cioc server API</title>
<link rel="stylesheet" href="/api/docs.css">
</head><body><main>
<h1>cioc server API</h1>
<p>Every <code>/api</code> route marked so needs <code>Authorization: Bearer &lt;API token&gt;</code> (<code>cioc token create --user EMAIL</code>) or the console's session cookie (with <code>X-CSRF-Token</code> on POST, PUT, PATCH and DELETE).
Errors are <code>{"error":{"type","message",…}}</code>. The machine-readable description, with every request and response schema, is <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Auth</th></tr></thead><tbody>
${rows}
</tbody></table></main></body></html>`;
}
