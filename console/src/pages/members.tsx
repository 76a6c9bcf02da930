/** Members of the organisation: everyone sees the list; admins add, change roles, remove. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { isAdmin, useSession } from '../session.js';
import type { Member } from '../types.js';
import { ErrorBox, Loading, Time } from '../ui/feedback.js';
import { useLoad } from '../ui/use-load.js';

export function MembersPage() {
  const { user } = useSession();
  const admin = isAdmin(user);
  const list = useLoad(() => api.get<{ members: Member[] }>('/api/members'), []);
  const [error, setError] = useState<unknown>();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');

  const act = async (work: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    try {
      await work();
      list.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Members</h1>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading />
        ) : null
      ) : (
        <div class="card table-card">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                {admin ? (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {list.data.members.map((m) => (
                <tr key={String(m.id)}>
                  <td class="strong">
                    {m.email}
                    {String(m.id) === String(user?.id) ? <span class="badge">you</span> : null}
                  </td>
                  <td>{m.name ?? <span class="muted">—</span>}</td>
                  <td>
                    {admin ? (
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        onChange={(e) =>
                          void act(() =>
                            api.patch(`/api/members/${enc(String(m.id))}`, { role: e.currentTarget.value }),
                          )
                        }
                      >
                        <option value="member">Member</option>
                        <option value="admin">Admin</option>
                      </select>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td>
                    <Time at={m.created_at} />
                  </td>
                  {admin ? (
                    <td class="row-actions">
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Remove ${m.email}`}
                        onClick={() => {
                          if (confirm(`Remove ${m.email} from the organisation?`))
                            void act(() => api.del(`/api/members/${enc(String(m.id))}`));
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin ? (
        <section class="card form-card" aria-labelledby="add-member">
          <h2 id="add-member">Add a member</h2>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() =>
                api.post('/api/members', {
                  email,
                  password,
                  role,
                  ...(name.trim() === '' ? {} : { name: name.trim() }),
                }),
              ).then((ok) => {
                if (ok) {
                  setEmail('');
                  setName('');
                  setPassword('');
                  setRole('member');
                }
              });
            }}
          >
            <div class="field">
              <label for="member-email">Email</label>
              <input
                id="member-email"
                type="email"
                required
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="member-name">Name (optional)</label>
              <input id="member-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="member-password">Password</label>
              <input
                id="member-password"
                type="password"
                required
                minLength={10}
                maxLength={200}
                autoComplete="new-password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="member-role">Role</label>
              <select
                id="member-role"
                value={role}
                onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'member')}
              >
                <option value="member">Member</option>
                <option value="admin">Admin</option>
              </select>
            </div>
            <button type="submit" class="primary">
              Add member
            </button>
          </form>
        </section>
      ) : (
        <p class="muted">Only admins can add members or change roles.</p>
      )}
    </>
  );
}
