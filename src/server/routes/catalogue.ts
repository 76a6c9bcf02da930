/** The operation registry and the connectors, as the console's pickers and forms read them. */
import { Type, type Static } from '../../json-schema.js';
import { CONNECTORS } from '../../connectors.js';
import { findOperation, listOperations } from '../../operations/registry.js';
import type { AnyOperation } from '../../operations/types.js';
import { CONNECTOR_IDS, type ConnectorId } from '../../regions.js';
import { notFound } from '../http-error.js';
import { route, type RouteDef } from '../route.js';

export const connectorName = (id: ConnectorId): string =>
  `Customer.io - ${id.charAt(0).toUpperCase()}${id.slice(1)}`;

const Safety = Type.Object({
  idempotent: Type.Boolean(),
  destructive: Type.Boolean(),
  rate_bucket: Type.String(),
});
const OperationSummary = Type.Object({
  id: Type.String(),
  connector: Type.String(),
  connector_name: Type.String(),
  version: Type.String(),
  title: Type.String(),
  description: Type.String(),
  method: Type.String(),
  path: Type.String(),
  safety: Safety,
});
const OperationDetail = Type.Object(
  {
    ...OperationSummary.properties,
    input_schema: Type.Unknown({ description: 'JSON Schema of the input.' }),
    output_schema: Type.Unknown({ description: 'JSON Schema of the output.' }),
    examples: Type.Array(Type.Object({ summary: Type.String(), input: Type.Unknown() })),
  },
  { title: 'Operation' },
);
const Connector = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'Display name, e.g. "Customer.io - Track".' }),
  title: Type.String(),
  version: Type.String(),
  description: Type.String(),
  auth: Type.String(),
  credential_fields: Type.Array(
    Type.Object({ key: Type.String(), label: Type.String(), secret: Type.Boolean() }),
  ),
  operations: Type.Integer(),
});
const OperationsQuery = Type.Object({
  connector: Type.Optional(Type.Union(CONNECTOR_IDS.map((c) => Type.Literal(c)))),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Search titles, ids and descriptions.' })),
});

function summary(op: AnyOperation): Static<typeof OperationSummary> {
  return {
    id: op.id,
    connector: op.connector,
    connector_name: connectorName(op.connector),
    version: CONNECTORS[op.connector].version,
    title: op.title,
    description: op.description,
    method: op.method,
    path: op.path,
    safety: {
      idempotent: op.safety.idempotent,
      destructive: op.safety.destructive,
      rate_bucket: op.safety.rateBucket,
    },
  };
}

/** A copy of the schema or example as JSON (nothing a client could change in the registry). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

export const catalogueRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/operations',
    summary: 'Every operation of the registry (without schemas)',
    tags: ['registry'],
    schema: {
      querystring: OperationsQuery,
      response: { 200: Type.Object({ operations: Type.Array(OperationSummary) }) },
    },
    async handler(ctx) {
      const query = ctx.request.query as Static<typeof OperationsQuery>;
      const needle = query.q?.trim().toLowerCase() ?? '';
      const operations = listOperations(query.connector)
        .filter(
          (op) => needle === '' || `${op.id} ${op.title} ${op.description}`.toLowerCase().includes(needle),
        )
        .map(summary);
      return { operations };
    },
  }),
  route({
    method: 'GET',
    url: '/api/operations/:id',
    summary: 'One operation: title, connector, version, input and output JSON Schema, safety, examples',
    tags: ['registry'],
    schema: {
      params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
      response: { 200: OperationDetail },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as { id: string };
      const op = findOperation(id);
      if (op === undefined) throw notFound(`Operation ${id}`);
      return {
        ...summary(op),
        input_schema: plain(op.input),
        output_schema: plain(op.output),
        examples: op.examples.map((e) => ({ summary: e.summary, input: plain(e.input) })),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/api/connectors',
    summary: 'The connectors: Customer.io - Track, App and Beta',
    tags: ['registry'],
    schema: { response: { 200: Type.Object({ connectors: Type.Array(Connector) }) } },
    async handler() {
      return {
        connectors: CONNECTOR_IDS.map((id) => {
          const c = CONNECTORS[id];
          return {
            id,
            name: connectorName(id),
            title: c.title,
            version: c.version,
            description: c.description,
            auth: c.auth,
            credential_fields: c.credentialFields.map((f) => ({
              key: f.key === 'siteId' ? 'site_id' : 'api_key',
              label: f.label,
              secret: f.secret,
            })),
            operations: listOperations(id).length,
          };
        }),
      };
    },
  }),
];
