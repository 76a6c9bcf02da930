/** Track API v1 routes (track.json), served under `/api/v1` plus the unauthenticated `/unsubscribe`. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { trackError } from '../model/errors.js';
import type { EmulatorState } from '../model/workspace.js';
import { objectBody } from './body.js';

const ok = (reply: FastifyReply): FastifyReply =>
  reply.code(200).header('cache-control', 'no-cache, no-store, must-revalidate, max-age=0').send({});

type IdParams = { Params: { identifier: string } };

export function registerTrackRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.get('/api/v1/accounts/region', async (_request, reply) => {
    const { region, environmentId } = state.workspace;
    return reply.send({
      url: region === 'eu' ? 'https://track-eu.customer.io' : 'https://track.customer.io',
      region,
      environment_id: environmentId,
    });
  });

  app.put<IdParams>('/api/v1/customers/:identifier', async (request, reply) => {
    state.identify(request.params.identifier, objectBody(request.body, trackBodyError, true));
    return ok(reply);
  });

  app.delete<IdParams>('/api/v1/customers/:identifier', async (request, reply) => {
    state.deletePerson(request.params.identifier);
    return ok(reply);
  });

  app.put<IdParams>('/api/v1/customers/:identifier/devices', async (request, reply) => {
    state.addDevice(request.params.identifier, objectBody(request.body, trackBodyError));
    return ok(reply);
  });

  app.delete<{ Params: { identifier: string; device_id: string } }>(
    '/api/v1/customers/:identifier/devices/:device_id',
    async (request, reply) => {
      state.deleteDevice(request.params.identifier, request.params.device_id);
      return ok(reply);
    },
  );

  app.post<IdParams>('/api/v1/customers/:identifier/suppress', async (request, reply) => {
    state.suppress(request.params.identifier);
    return ok(reply);
  });

  app.post<IdParams>('/api/v1/customers/:identifier/unsuppress', async (request, reply) => {
    state.unsuppress(request.params.identifier);
    return ok(reply);
  });

  app.post<IdParams>('/api/v1/customers/:identifier/events', async (request, reply) => {
    state.trackEvent(request.params.identifier, objectBody(request.body, trackBodyError));
    return ok(reply);
  });

  app.post('/api/v1/events', async (request, reply) => {
    state.trackEvent(null, objectBody(request.body, trackBodyError));
    return ok(reply);
  });

  app.post<{ Params: { form_id: string } }>('/api/v1/forms/:form_id/submit', async (request, reply) => {
    state.submitForm(objectBody(request.body, trackBodyError));
    return reply.code(204).send();
  });

  app.post('/api/v1/merge_customers', async (request, reply) => {
    state.merge(objectBody(request.body, trackBodyError));
    return ok(reply);
  });

  app.post('/api/v1/metrics', async (request, reply) => {
    const body = objectBody(request.body, trackBodyError);
    const missing = ['delivery_id', 'metric'].filter((f) => typeof body[f] !== 'string' || body[f] === '');
    if (missing.length > 0) throw trackError(400, ...missing.map((f) => `${f} is required`));
    return ok(reply);
  });

  // The legacy, unprefixed `/push/events` (the Ruby client's `track_push_notification_event` still
  // posts there, and Customer.io still answers it) is the same route.
  for (const url of ['/api/v1/push/events', '/push/events']) {
    app.post(url, async (request, reply) => {
      const body = objectBody(request.body, trackBodyError);
      if (
        body['event'] !== undefined &&
        !['opened', 'converted', 'delivered'].includes(body['event'] as string)
      ) {
        throw trackError(400, 'event must be opened, converted or delivered');
      }
      return ok(reply);
    });
  }

  for (const [action, add] of [
    ['add_customers', true],
    ['remove_customers', false],
  ] as const) {
    app.post<{ Params: { segment_id: string }; Querystring: { id_type?: string } }>(
      `/api/v1/segments/:segment_id/${action}`,
      async (request, reply) => {
        const segmentId = Number(request.params.segment_id);
        if (!Number.isInteger(segmentId)) throw trackError(400, 'segment_id must be an integer');
        state.changeSegment(segmentId, objectBody(request.body, trackBodyError), request.query.id_type, add);
        return ok(reply);
      },
    );
  }

  app.post<{ Params: { delivery_id: string } }>('/unsubscribe/:delivery_id', async (request, reply) => {
    const type = request.headers['content-type'] ?? '';
    if (!type.includes('application/json'))
      throw trackError(400, 'Content-Type: application/json is required');
    state.unsubscribe(request.params.delivery_id, objectBody(request.body, trackBodyError, true));
    return ok(reply);
  });
}

function trackBodyError(message: string): Error {
  return trackError(400, message);
}
