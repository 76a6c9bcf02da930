/**
 * Exports and collections over HTTP. An export's download URL is served by the emulator itself,
 * without auth, like Customer.io's pre-signed URLs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { specOperationData } from '../../spec-data.js';
import { sampleOf } from '../../schema-sample.js';
import { appError, metaError } from '../model/errors.js';
import { exportDone, toCsv, type CollectionRecord, type ExportRecord } from '../model/exports.js';
import { matchesFilter } from '../model/filters.js';
import type { EmulatorState } from '../model/workspace.js';
import { objectBody } from './body.js';

type Node = Record<string, unknown>;

function exportTemplate(): Node {
  const op = specOperationData('app').find((o) => o.id === 'app.get_export');
  const sample = sampleOf(op?.output ?? {}) as { export?: Node };
  return { ...(sample.export ?? {}) };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

export function registerExports(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  const view = (record: ExportRecord): Node => {
    const done = exportDone(record);
    const seconds = Math.floor(record.created / 1000);
    return {
      ...exportTemplate(),
      id: record.id,
      type: record.type,
      status: done ? 'done' : 'pending',
      total: done ? record.rows : 0,
      created_at: seconds,
      updated_at: seconds,
      deduplicate_id: `${String(record.id)}:${String(seconds)}`,
      failed: false,
      downloads: 0,
    };
  };
  const find = (raw: string): ExportRecord => {
    const record = state.exports.get(Number(raw));
    if (record === undefined) throw appError(404, `export ${raw} not found`);
    return record;
  };
  const create = (type: ExportRecord['type'], rows: Record<string, unknown>[]): Node => {
    const id = Math.max(0, ...state.exports.keys()) + 1;
    const record: ExportRecord = { id, type, created: Date.now(), csv: toCsv(rows), rows: rows.length };
    state.exports.set(id, record);
    return { export: view(record) };
  };

  app.post(`${prefix}/exports/customers`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    if (body['filters'] === undefined) throw metaError(400, 'filters is required');
    const people = state.people.filter(
      (p) => !p.suppressed && matchesFilter(state, p, body['filters'], 'filters'),
    );
    return create(
      'customers',
      people.map((p) => ({ id: p.id, email: p.email, cio_id: p.cio_id, ...p.attributes })),
    );
  });
  app.post(`${prefix}/exports/deliveries`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    const parents = ['newsletter_id', 'campaign_id', 'transactional_message_id', 'action_id'].filter(
      (k) => body[k] !== undefined,
    );
    if (parents.length !== 1)
      throw metaError(
        400,
        'give exactly one of newsletter_id, campaign_id, transactional_message_id, action_id',
      );
    const template =
      parents[0] === 'transactional_message_id'
        ? (state.transactionalMessage(body['transactional_message_id'])?.id ?? null)
        : undefined;
    const deliveries = state.deliveries.filter(
      (d) => template === undefined || (template !== null && d.transactional_message_id === template),
    );
    return create(
      'deliveries',
      deliveries.map((d) => ({
        delivery_id: d.delivery_id,
        recipient: d.to,
        created: d.queued_at,
        type: d.kind,
      })),
    );
  });
  app.get(`${prefix}/exports`, async () => ({ exports: [...state.exports.values()].map(view) }));
  app.get<{ Params: { export_id: string } }>(`${prefix}/exports/:export_id`, async (request) => ({
    export: view(find(request.params.export_id)),
  }));
  app.get<{ Params: { export_id: string } }>(`${prefix}/exports/:export_id/download`, async (request) => {
    const record = find(request.params.export_id);
    if (view(record)['status'] !== 'done')
      throw metaError(400, `export ${String(record.id)} is not done yet`);
    return { url: `${originOf(request)}/__emulator/downloads/export-${String(record.id)}.csv` };
  });
}

export function registerDownloads(app: FastifyInstance, state: EmulatorState): void {
  app.get<{ Params: { file: string } }>('/__emulator/downloads/:file', async (request, reply) => {
    const match = /^export-(\d+)\.csv$/.exec(request.params.file);
    const record = match?.[1] === undefined ? undefined : state.exports.get(Number(match[1]));
    if (record === undefined) return reply.code(404).send({ error: { message: 'no such download' } });
    return reply.type('text/csv; charset=utf-8').send(record.csv);
  });
}

export function registerCollections(app: FastifyInstance, state: EmulatorState, prefix: string): void {
  const view = (c: CollectionRecord): Node => ({
    id: c.id,
    name: c.name,
    rows: c.data.length,
    bytes: Buffer.byteLength(JSON.stringify(c.data)),
    schema: [
      ...new Set(c.data.flatMap((row) => (typeof row === 'object' && row !== null ? Object.keys(row) : []))),
    ],
    created_at: c.created_at,
    updated_at: c.updated_at,
  });
  const find = (raw: string): CollectionRecord => {
    const record = state.collections.get(Number(raw));
    if (record === undefined) throw appError(404, `collection ${raw} not found`);
    return record;
  };
  const dataOf = (body: Node): { data: unknown[]; url: string | null } => {
    if (Array.isArray(body['data'])) return { data: body['data'] as unknown[], url: null };
    if (typeof body['url'] === 'string') return { data: [], url: body['url'] };
    throw metaError(400, 'give data (an array) or url');
  };
  const now = (): number => Math.floor(Date.now() / 1000);

  app.get(`${prefix}/collections`, async () => ({ collections: [...state.collections.values()].map(view) }));
  app.post(`${prefix}/collections`, async (request) => {
    const body = objectBody(request.body, (m) => metaError(400, m));
    if (typeof body['name'] !== 'string' || body['name'] === '') throw metaError(400, 'name is required');
    const id = Math.max(0, ...state.collections.keys()) + 1;
    const record: CollectionRecord = {
      id,
      name: body['name'],
      ...dataOf(body),
      created_at: now(),
      updated_at: now(),
    };
    state.collections.set(id, record);
    return { collection: view(record) };
  });
  app.get<{ Params: { collection_id: string } }>(`${prefix}/collections/:collection_id`, async (request) => ({
    collection: view(find(request.params.collection_id)),
  }));
  app.put<{ Params: { collection_id: string } }>(`${prefix}/collections/:collection_id`, async (request) => {
    const record = find(request.params.collection_id);
    const body = objectBody(request.body, (m) => metaError(400, m));
    if (typeof body['name'] === 'string' && body['name'] !== '') record.name = body['name'];
    if (body['data'] !== undefined || body['url'] !== undefined) Object.assign(record, dataOf(body));
    record.updated_at = now();
    return { collection: view(record) };
  });
  app.delete<{ Params: { collection_id: string } }>(
    `${prefix}/collections/:collection_id`,
    async (request, reply) => {
      state.collections.delete(find(request.params.collection_id).id);
      return reply.code(204).send();
    },
  );
  app.get<{ Params: { collection_id: string } }>(
    `${prefix}/collections/:collection_id/content`,
    async (request) => {
      // The content endpoint answers the collection's data as one JSON object keyed by row index.
      return Object.fromEntries(find(request.params.collection_id).data.map((row, i) => [String(i), row]));
    },
  );
  app.put<{ Params: { collection_id: string } }>(
    `${prefix}/collections/:collection_id/content`,
    async (request) => {
      const record = find(request.params.collection_id);
      const body: unknown = request.body;
      record.data = Array.isArray(body)
        ? body
        : typeof body === 'object' && body !== null
          ? Object.values(body)
          : [];
      record.updated_at = now();
      return { collection: view(record) };
    },
  );
}
