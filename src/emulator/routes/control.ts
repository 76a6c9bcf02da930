/**
 * The control API: a contract other tools rely on. Keep these paths and shapes.
 *   GET  /__emulator/health    → { ok: true }
 *   POST /__emulator/reset     → empties all state (seeded fixtures come back)
 *   GET  /__emulator/people    → { people: [{ cio_id, id, email, attributes, devices, suppressed }] }
 *   GET  /__emulator/events    → { events: [{ id, name, type, customer_id, anonymous_id, data, timestamp }] }
 *   GET  /__emulator/requests  → { requests: [{ method, path, status, at }] } (no secrets, no bodies)
 *   GET  /__emulator/stats     → counts: people, events, deliveries, triggers, objects, requests logged,
 *                                and answers by status since the last reset (not truncated)
 *   POST /__emulator/faults    → adds a fault; DELETE /__emulator/faults clears them
 *   GET|PUT /__emulator/fixtures → answers for catalogue routes, by operation id
 *   GET  /__emulator/webhook-deliveries → the outbound reporting webhooks sent, with their status
 */
import type { FastifyInstance } from 'fastify';
import { findOperation } from '../../operations/registry.js';
import { faultProblems, type FaultList, type FaultSpec } from '../faults.js';
import type { EmulatorState } from '../model/workspace.js';
import type { ArrivalLimiter } from '../rate-limit.js';
import type { WebhookSender } from '../webhook-sender.js';
import { registerDownloads } from './app-exports.js';
import { fixtureKey, type Fixtures } from './spec.js';

export interface RequestRecord {
  method: string;
  path: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** Arrival time, ms since the epoch. */
  at: number;
}

export function registerControlRoutes(
  app: FastifyInstance,
  state: EmulatorState,
  faults: FaultList,
  requests: RequestRecord[],
  rateLimiter: ArrivalLimiter,
  statusCounts: Map<number, number>,
  fixtures: Fixtures,
  sender: WebhookSender,
): void {
  app.get('/__emulator/health', async () => ({ ok: true }));

  registerDownloads(app, state);

  app.post('/__emulator/reset', async () => {
    state.reset();
    faults.clear();
    requests.length = 0;
    rateLimiter.reset();
    statusCounts.clear();
    sender.log.length = 0;
    return { ok: true };
  });

  app.get('/__emulator/people', async () => ({ people: state.people.map((p) => state.personView(p)) }));

  app.get('/__emulator/events', async () => ({ events: state.events }));

  app.get('/__emulator/requests', async () => ({ requests }));

  app.get('/__emulator/stats', async () => ({
    people: state.people.length,
    events: state.events.length,
    duplicate_events: state.duplicateEvents,
    deliveries: state.deliveries.length,
    triggers: state.triggers.length,
    objects: state.objects.objects.size,
    requests: requests.length,
    by_status: Object.fromEntries([...statusCounts].map(([status, count]) => [String(status), count])),
  }));

  app.get('/__emulator/faults', async () => ({ faults: faults.list() }));

  app.get('/__emulator/fixtures', async () => ({ fixtures: Object.fromEntries(fixtures) }));

  app.get('/__emulator/webhook-deliveries', async () => ({ deliveries: sender.log }));

  app.put('/__emulator/fixtures', async (request, reply) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return reply
        .code(400)
        .send({ error: { message: 'fixtures must be an object of operation id → answer' } });
    }
    const unknown = Object.keys(body).filter((id) => findOperation(id) === undefined);
    if (unknown.length > 0)
      return reply.code(400).send({ error: { message: `unknown operations: ${unknown.join(', ')}` } });
    for (const [id, answer] of Object.entries(body)) fixtures.set(fixtureKey(id), answer);
    return { fixtures: Object.fromEntries(fixtures) };
  });

  app.post('/__emulator/faults', async (request, reply) => {
    const problems = faultProblems(request.body);
    if (problems.length > 0) return reply.code(400).send({ error: { message: 'invalid fault', problems } });
    const fault = faults.add(request.body as FaultSpec);
    return reply.code(201).send({ fault });
  });

  app.delete('/__emulator/faults', async () => {
    faults.clear();
    return { ok: true };
  });
}
