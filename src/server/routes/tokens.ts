/** The caller's own API tokens: list, create (the token is shown once), revoke. */
import { Type, type Static } from '../../json-schema.js';
import { HttpError } from '../http-error.js';
import { route, type RouteDef } from '../route.js';
import { IdParams } from '../schemas.js';

const TokenView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    created_at: Type.String(),
    last_used_at: Type.Union([Type.String(), Type.Null()]),
    revoked_at: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'Token' },
);
const CreateBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

export const tokenRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/tokens',
    summary: 'Your API tokens (never the tokens themselves)',
    tags: ['tokens'],
    schema: { response: { 200: Type.Object({ tokens: Type.Array(TokenView) }) } },
    async handler(ctx) {
      const tokens = await ctx.services.accounts.listTokens(ctx.principal.user.id);
      return {
        tokens: tokens.map((t) => ({
          id: t.id,
          name: t.name,
          created_at: t.createdAt,
          last_used_at: t.lastUsedAt,
          revoked_at: t.revokedAt,
        })),
      };
    },
  }),
  route({
    method: 'POST',
    url: '/api/tokens',
    summary: 'Create an API token for yourself: the answer shows it once',
    tags: ['tokens'],
    schema: {
      body: CreateBody,
      response: {
        201: Type.Object({
          id: Type.String(),
          name: Type.String(),
          token: Type.String({ description: 'Shown once: it is not stored.' }),
        }),
      },
    },
    async handler(ctx) {
      const { name } = ctx.request.body as Static<typeof CreateBody>;
      const created = await ctx.services.accounts.createToken(ctx.principal.user.id, name);
      void ctx.reply.code(201);
      return { id: created.id, name: created.name, token: created.token };
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/tokens/:id',
    summary: 'Revoke one of your API tokens',
    tags: ['tokens'],
    schema: { params: IdParams },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      if (!(await ctx.services.accounts.revokeToken(ctx.principal.user.id, id)))
        throw new HttpError(404, 'not_found', `Token ${id} was not found (or is already revoked)`);
      return ctx.reply.code(204).send();
    },
  }),
];
