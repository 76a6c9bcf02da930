/**
 * Named authentications over HTTP, addressed by id. The scope rules are the store's (a Personal
 * one is visible and usable only by its owner); no answer ever carries a secret, only the masked
 * hint of the key (`…ab12`).
 */
import { Type, type Static } from '../../json-schema.js';
import { testAuthentication } from '../../diagnose.js';
import { ConfigError } from '../../errors.js';
import { CONNECTOR_IDS, REGIONS } from '../../regions.js';
import type { AuthenticationInfo, AuthStore } from '../../store/auth-store.js';
import { HttpError, notFound } from '../http-error.js';
import { route, type RouteContext, type RouteDef } from '../route.js';
import { IdParams } from '../schemas.js';

const Region = Type.Union(REGIONS.map((r) => Type.Literal(r)));
const Credentials = Type.Object(
  {
    site_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Track only.' })),
    api_key: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false, description: 'Write-only: never returned.' },
);
const AuthenticationView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    connector: Type.String(),
    scope: Type.String(),
    owner: Type.String(),
    region: Type.String(),
    base_url: Type.Union([Type.String(), Type.Null()]),
    key: Type.String({ description: 'The last four characters of the API key, e.g. "…ab12".' }),
    is_default: Type.Boolean(),
    created_at: Type.String(),
    updated_at: Type.String(),
    last_test: Type.Union([
      Type.Object({ at: Type.String(), ok: Type.Boolean(), message: Type.String() }),
      Type.Null(),
    ]),
  },
  { title: 'Authentication' },
);
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    connector: Type.Union(CONNECTOR_IDS.map((c) => Type.Literal(c))),
    scope: Type.Optional(Type.Union([Type.Literal('personal'), Type.Literal('organisational')])),
    region: Type.Optional(Region),
    base_url: Type.Optional(Type.String({ maxLength: 500 })),
    credentials: Credentials,
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    region: Type.Optional(Region),
    base_url: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    credentials: Type.Optional(Credentials),
    is_default: Type.Optional(Type.Literal(true, { description: 'Make it your default for its connector.' })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object({
  connector: Type.Optional(Type.Union(CONNECTOR_IDS.map((c) => Type.Literal(c)))),
});
const TestReport = Type.Object({
  ok: Type.Boolean(),
  message: Type.String(),
  account_region: Type.Optional(Type.String()),
  fix: Type.Optional(Type.String()),
});

function view(a: AuthenticationInfo): Static<typeof AuthenticationView> {
  return {
    id: a.id,
    name: a.name,
    connector: a.connector,
    scope: a.scope,
    owner: a.owner,
    region: a.region,
    base_url: a.baseUrl,
    key: a.key,
    is_default: a.isDefault,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    last_test: a.lastTest,
  };
}

function store(ctx: RouteContext): AuthStore {
  return ctx.services.authFor(ctx.principal.user.id);
}

/** The authentication if the caller may see it; another user's Personal one is a 404. */
function visible(ctx: RouteContext, id: string): AuthenticationInfo {
  try {
    return store(ctx).get({ id });
  } catch (error) {
    if (error instanceof ConfigError) throw notFound(`Authentication ${id}`);
    throw error;
  }
}

/** Changes by someone who may see but not change it (not its owner nor an admin) are 403. */
function changing<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    if (error instanceof ConfigError) throw new HttpError(403, 'forbidden', error.message);
    throw error;
  }
}

export const authenticationRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/authentications',
    summary: 'Your Personal authentications and your organisation’s',
    tags: ['authentications'],
    schema: {
      querystring: ListQuery,
      response: { 200: Type.Object({ authentications: Type.Array(AuthenticationView) }) },
    },
    async handler(ctx) {
      const { connector } = ctx.request.query as Static<typeof ListQuery>;
      return { authentications: store(ctx).list(connector).map(view) };
    },
  }),
  route({
    method: 'POST',
    url: '/api/authentications',
    summary: 'Create an authentication (credentials are encrypted at rest and never returned)',
    tags: ['authentications'],
    schema: { body: CreateBody, response: { 201: AuthenticationView } },
    async handler(ctx) {
      const body = ctx.request.body as Static<typeof CreateBody>;
      const created = store(ctx).create({
        name: body.name,
        connector: body.connector,
        scope: body.scope,
        region: body.region,
        baseUrl: body.base_url,
        credentials: { siteId: body.credentials.site_id, apiKey: body.credentials.api_key },
      });
      void ctx.reply.code(201);
      return view(created);
    },
  }),
  route({
    method: 'GET',
    url: '/api/authentications/:id',
    summary: 'One authentication (no secret)',
    tags: ['authentications'],
    schema: { params: IdParams, response: { 200: AuthenticationView } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      return view(visible(ctx, id));
    },
  }),
  route({
    method: 'PUT',
    url: '/api/authentications/:id',
    summary: 'Rename, move region, rotate the key, or make it your default',
    tags: ['authentications'],
    schema: { params: IdParams, body: UpdateBody, response: { 200: AuthenticationView } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const body = ctx.request.body as Static<typeof UpdateBody>;
      visible(ctx, id);
      let updated = changing(() =>
        store(ctx).update(
          { id },
          {
            name: body.name,
            region: body.region,
            baseUrl: body.base_url,
            credentials:
              body.credentials === undefined
                ? undefined
                : { siteId: body.credentials.site_id, apiKey: body.credentials.api_key },
          },
        ),
      );
      if (body.is_default === true) updated = store(ctx).setDefault({ id });
      return view(updated);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/authentications/:id',
    summary: 'Delete an authentication',
    tags: ['authentications'],
    schema: {
      params: IdParams,
      response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true) }) },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      visible(ctx, id);
      changing(() => store(ctx).delete({ id }));
      return { id, deleted: true as const };
    },
  }),
  route({
    method: 'POST',
    url: '/api/authentications/:id/test',
    summary: 'Check that it works and is in the right region',
    tags: ['authentications'],
    schema: { params: IdParams, response: { 200: TestReport } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      visible(ctx, id);
      const subject = store(ctx).resolve({ id });
      const report = await testAuthentication(
        {
          name: subject.name,
          connector: subject.connector,
          region: subject.region,
          baseUrl: subject.baseUrl,
          credentials: subject.credentials,
        },
        { emulatorUrl: ctx.services.emulatorUrl },
      );
      store(ctx).recordTest({ id }, report);
      return {
        ok: report.ok,
        message: report.message,
        ...(report.accountRegion === undefined ? {} : { account_region: report.accountRegion }),
        ...(report.fix === undefined ? {} : { fix: report.fix }),
      };
    },
  }),
];
