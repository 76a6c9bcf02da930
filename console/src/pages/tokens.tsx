/** API tokens: create (the token is shown once, with Copy), list, revoke. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import type { ApiToken } from '../types.js';
import { ErrorBox, Loading, Time } from '../ui/feedback.js';
import { CopyButton } from '../ui/json-view.js';
import { useLoad } from '../ui/use-load.js';

export function TokensPage() {
  const list = useLoad(() => api.get<{ tokens: ApiToken[] }>('/api/tokens'), []);
  const [error, setError] = useState<unknown>();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>();

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    try {
      const answer = await api.post<{ id: string; name: string; token: string }>('/api/tokens', {
        name: name.trim(),
      });
      setCreated({ name: answer.name, token: answer.token });
      setName('');
      list.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>API tokens</h1>
      </div>
      <p class="muted">
        A token lets scripts and the CLI call this server as you:{' '}
        <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <section class="card form-card" aria-labelledby="new-token">
        <h2 id="new-token">Create a token</h2>
        <form class="inline-form" onSubmit={(e) => void create(e)}>
          <div class="field">
            <label for="token-name">Name</label>
            <input
              id="token-name"
              required
              maxLength={100}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="primary">
            Create token
          </button>
        </form>
        {created === undefined ? null : (
          <div class="token-once" role="status">
            <p>
              <strong>{created.name}</strong>: copy it now, it will not be shown again.
            </p>
            <div class="token-row">
              <code class="token-value">{created.token}</code>
              <CopyButton text={created.token} label="Copy token" />
              <button type="button" class="small" onClick={() => setCreated(undefined)}>
                Done
              </button>
            </div>
          </div>
        )}
      </section>
      <ErrorBox error={error ?? list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading />
        ) : null
      ) : list.data.tokens.length === 0 ? (
        <p class="muted">You have no tokens.</p>
      ) : (
        <div class="card table-card">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.tokens.map((t) => (
                <tr key={t.id}>
                  <td class="strong">{t.name}</td>
                  <td>
                    <Time at={t.created_at} />
                  </td>
                  <td>
                    <Time at={t.last_used_at} />
                  </td>
                  <td>
                    {t.revoked_at === null ? (
                      <span class="badge badge-succeeded">active</span>
                    ) : (
                      <span class="badge badge-failed">revoked</span>
                    )}
                  </td>
                  <td class="row-actions">
                    {t.revoked_at === null ? (
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Revoke ${t.name}`}
                        onClick={() => {
                          if (!confirm(`Revoke the token "${t.name}"? Anything using it stops working.`))
                            return;
                          setError(undefined);
                          api.del(`/api/tokens/${enc(t.id)}`).then(list.reload, setError);
                        }}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
