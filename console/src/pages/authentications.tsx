/** Authentications: list, test (with the region diagnosis), make default, delete, create. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import type { Authentication, TestReport } from '../types.js';
import { CONNECTOR_NAMES, NewAuthenticationModal, regionLabel, TestResult } from '../ui/auth-modal.js';
import { ErrorBox, Loading, Time } from '../ui/feedback.js';
import { useLoad } from '../ui/use-load.js';

export function AuthenticationsPage() {
  const list = useLoad(() => api.get<{ authentications: Authentication[] }>('/api/authentications'), []);
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [tests, setTests] = useState<Record<string, TestReport | 'running'>>({});

  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await work();
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const test = async (a: Authentication): Promise<void> => {
    setTests((t) => ({ ...t, [a.id]: 'running' }));
    try {
      const report = await api.post<TestReport>(`/api/authentications/${enc(a.id)}/test`);
      setTests((t) => ({ ...t, [a.id]: report }));
      list.reload();
    } catch (e) {
      setTests((t) => {
        const { [a.id]: _gone, ...rest } = t;
        return rest;
      });
      setError(e);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Authentications</h1>
        <div class="actions">
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New authentication
          </button>
        </div>
      </div>
      <p class="muted">
        Credentials are encrypted in the store and never shown again; only the last characters of the key are.
      </p>
      <ErrorBox error={error ?? list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading />
        ) : null
      ) : list.data.authentications.length === 0 ? (
        <div class="empty card">
          <h2>No authentications yet</h2>
          <p>Add one to let steps call Customer.io (or the local emulator).</p>
        </div>
      ) : (
        <div class="card table-card">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Connector</th>
                <th scope="col">Scope</th>
                <th scope="col">Region</th>
                <th scope="col">Key</th>
                <th scope="col">Last test</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.authentications.map((a) => {
                const t = tests[a.id];
                return (
                  <tr key={a.id}>
                    <td>
                      <span class="strong">{a.name}</span>
                      {a.is_default ? <span class="badge badge-succeeded">default</span> : null}
                      {t === undefined || t === 'running' ? null : <TestResult result={t} />}
                    </td>
                    <td>{CONNECTOR_NAMES[a.connector] ?? a.connector}</td>
                    <td>{a.scope === 'organisational' ? 'Organisational' : `Personal (${a.owner})`}</td>
                    <td>{regionLabel(a.region)}</td>
                    <td>
                      <code>{a.key}</code>
                    </td>
                    <td>
                      {a.last_test === null ? (
                        <span class="muted">never</span>
                      ) : (
                        <span title={a.last_test.message}>
                          <span class={`badge ${a.last_test.ok ? 'badge-succeeded' : 'badge-failed'}`}>
                            {a.last_test.ok ? 'ok' : 'failed'}
                          </span>{' '}
                          <Time at={a.last_test.at} />
                        </span>
                      )}
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="small"
                        aria-label={`${t === 'running' ? 'Testing' : 'Test'} ${a.name}`}
                        disabled={t === 'running'}
                        onClick={() => void test(a)}
                      >
                        {t === 'running' ? 'Testing…' : 'Test'}
                      </button>
                      {a.is_default ? null : (
                        <button
                          type="button"
                          class="small"
                          aria-label={`Set default: ${a.name}`}
                          onClick={() =>
                            void act(() => api.put(`/api/authentications/${enc(a.id)}`, { is_default: true }))
                          }
                        >
                          Set default
                        </button>
                      )}
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Delete ${a.name}`}
                        onClick={() => {
                          if (confirm(`Delete the authentication "${a.name}"? Steps that use it will fail.`))
                            void act(() => api.del(`/api/authentications/${enc(a.id)}`));
                        }}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating ? (
        <NewAuthenticationModal
          connector={undefined}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            list.reload();
          }}
        />
      ) : null}
    </>
  );
}
