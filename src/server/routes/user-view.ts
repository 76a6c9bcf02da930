/** A user as the console sees them: `{ id, email, name, role }`. */
import { Type, type Static } from '../../json-schema.js';
import type { UserInfo } from '../../store/accounts-store.js';
import { HttpError } from '../http-error.js';
import type { RouteContext } from '../route.js';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('member')]);

export const UserView = Type.Object(
  {
    id: Type.Integer(),
    email: Type.String(),
    name: Type.String({ description: 'The name given at sign-up, else the email.' }),
    role: Role,
  },
  { title: 'User' },
);

export const Email = Type.String({ minLength: 3, maxLength: 254, description: 'An email address.' });
/** The console's password rule (the store accepts older, shorter CLI passwords at sign-in). */
export const NewPassword = Type.String({ minLength: 10, maxLength: 200 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 100 });

export function userView(user: UserInfo): Static<typeof UserView> {
  return {
    id: user.id,
    email: user.email ?? user.name,
    name: user.displayName ?? user.email ?? user.name,
    role: user.role,
  };
}

/** The caller's organisation, for member management. */
export function organisationOf(ctx: RouteContext): number {
  const id = ctx.principal.user.organisationId;
  if (id === null) throw new HttpError(403, 'forbidden', 'You belong to no organisation');
  return id;
}

export function requireAdmin(ctx: RouteContext): number {
  const organisationId = organisationOf(ctx);
  if (ctx.principal.user.role !== 'admin')
    throw new HttpError(403, 'forbidden', 'Only an organisation admin can change the members');
  return organisationId;
}
