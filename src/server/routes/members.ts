/**
 * The organisation's members who can sign in to the console. Anyone signed in may list them; only
 * an admin adds, changes or removes one. The last admin can be neither demoted nor removed, and
 * nobody removes themselves. Removing a member ends their sessions and deletes their API tokens.
 */
import { Type, type Static } from '../../json-schema.js';
import type { MemberChange } from '../../store/accounts-store.js';
import { HttpError } from '../http-error.js';
import { route, type RouteDef } from '../route.js';
import {
  DisplayName,
  Email,
  NewPassword,
  organisationOf,
  requireAdmin,
  Role,
  UserView,
  userView,
} from './user-view.js';

const MemberParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Member = Type.Intersect([UserView, Type.Object({ created_at: Type.String() })], { title: 'Member' });
const CreateBody = Type.Object(
  { email: Email, password: NewPassword, role: Role, name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
const ChangeBody = Type.Object({ role: Role }, { additionalProperties: false });

function refused(result: MemberChange, id: number, what: string): void {
  if (result === 'not_found') throw new HttpError(404, 'not_found', `Member ${String(id)} was not found`);
  if (result === 'last_admin')
    throw new HttpError(
      409,
      'conflict',
      `The last admin cannot be ${what}: make another member an admin first`,
    );
}

export const memberRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/members',
    summary: "Your organisation's members who can sign in",
    tags: ['members'],
    schema: { response: { 200: Type.Object({ members: Type.Array(Member) }) } },
    async handler(ctx) {
      const members = await ctx.services.accounts.listMembers(organisationOf(ctx));
      return { members: members.map((m) => ({ ...userView(m), created_at: m.createdAt })) };
    },
  }),
  route({
    method: 'POST',
    url: '/api/members',
    summary: 'Add a member with a password (admin only)',
    tags: ['members'],
    schema: { body: CreateBody, response: { 201: UserView } },
    async handler(ctx) {
      requireAdmin(ctx);
      const body = ctx.request.body as Static<typeof CreateBody>;
      const existing = await ctx.services.accounts.findByEmail(body.email);
      if (existing?.hasPassword === true)
        throw new HttpError(
          409,
          'conflict',
          `A user with the email ${body.email.trim().toLowerCase()} already exists`,
        );
      const user = await ctx.services.accounts.createUser(body);
      void ctx.reply.code(201);
      return userView(user);
    },
  }),
  route({
    method: 'PATCH',
    url: '/api/members/:id',
    summary: "Change a member's role (admin only; the last admin stays one: 409)",
    tags: ['members'],
    schema: { params: MemberParams, body: ChangeBody, response: { 200: UserView } },
    async handler(ctx) {
      const organisationId = requireAdmin(ctx);
      const { id } = ctx.request.params as Static<typeof MemberParams>;
      const { role } = ctx.request.body as Static<typeof ChangeBody>;
      refused(await ctx.services.accounts.setRole(organisationId, id, role), id, 'demoted');
      const user = await ctx.services.accounts.getUser(id);
      if (user === undefined) throw new HttpError(404, 'not_found', `Member ${String(id)} was not found`);
      return userView(user);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/members/:id',
    summary: 'Remove a member: they can no longer sign in, their sessions and API tokens end (admin only)',
    tags: ['members'],
    schema: { params: MemberParams },
    async handler(ctx) {
      const organisationId = requireAdmin(ctx);
      const { id } = ctx.request.params as Static<typeof MemberParams>;
      if (id === ctx.principal.user.id)
        throw new HttpError(409, 'conflict', 'You cannot remove yourself: ask another admin');
      refused(await ctx.services.accounts.removeMember(organisationId, id), id, 'removed');
      return ctx.reply.code(204).send();
    },
  }),
];
