/**
 * Track v2 over HTTP (`/api/v2/entity`, `/api/v2/batch`). A batch answers 207 with
 * `errors[].batch_index` for the items it refused and accepts the rest (customerio-api.md §2.2).
 */
import type { FastifyInstance } from 'fastify';
import { V2_LIMITS } from '../../operations/track-v2.js';
import { v2Error, type V2Error } from '../model/errors.js';
import { applyEntity, ItemError } from '../model/track-v2.js';
import { bodyBytesOf } from '../json-scan.js';
import type { EmulatorState } from '../model/workspace.js';

export function registerTrackV2Routes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/api/v2/entity', async (request) => {
    try {
      applyEntity(state, request.body, bodyBytesOf(request.body)?.total);
    } catch (error) {
      if (error instanceof ItemError)
        throw v2Error(400, [{ reason: error.reason, field: error.field, message: error.message }]);
      throw error;
    }
    return {};
  });

  app.post('/api/v2/batch', async (request, reply) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > V2_LIMITS.batchBytes) {
      throw v2Error(400, [
        {
          reason: 'too_large',
          field: 'batch',
          message: `the batch is ${length} bytes; at most ${V2_LIMITS.batchBytes}`,
        },
      ]);
    }
    const body = request.body as { batch?: unknown } | undefined;
    if (!Array.isArray(body?.batch))
      throw v2Error(400, [{ reason: 'required', field: 'batch', message: 'batch must be an array' }]);
    const errors: V2Error[] = [];
    // Each item's size as it arrived, when the parser's scan found the same items.
    const sizes = bodyBytesOf(body)?.batchItemBytes;
    const itemBytes = sizes?.length === body.batch.length ? sizes : undefined;
    body.batch.forEach((item, index) => {
      try {
        applyEntity(state, item, itemBytes?.[index]);
      } catch (error) {
        if (!(error instanceof ItemError)) throw error;
        errors.push({ batch_index: index, reason: error.reason, field: error.field, message: error.message });
      }
    });
    if (errors.length > 0) return reply.code(207).send({ errors });
    return {};
  });
}
