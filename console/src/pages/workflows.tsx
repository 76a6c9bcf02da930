/** The workflows list: name, trigger, last run, updated; create, rename, delete, duplicate, import, export. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { navigate, onLinkClick } from '../router.js';
import type { WorkflowDocument, WorkflowSummary, WorkflowView } from '../types.js';
import { ErrorBox, Loading, StatusBadge, Time } from '../ui/feedback.js';
import { Modal } from '../ui/modal.js';
import { useLoad } from '../ui/use-load.js';

export const TRIGGER_LABELS: Record<string, string> = {
  manual: 'Manual',
  webhook: 'Webhook',
  schedule: 'Schedule',
  customerio_webhook: 'Customer.io webhook',
};

function download(name: string, document: unknown): void {
  const blob = new Blob([`${JSON.stringify(document, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = Object.assign(window.document.createElement('a'), {
    href: url,
    download: `${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '') || 'workflow'}.workflow.json`,
  });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function WorkflowsPage() {
  const list = useLoad(() => api.get<{ workflows: WorkflowSummary[] }>('/api/workflows'), []);
  const [error, setError] = useState<unknown>();
  const [renaming, setRenaming] = useState<WorkflowSummary | undefined>();
  const [creating, setCreating] = useState(false);

  const act = async (work: () => Promise<void>): Promise<void> => {
    setError(undefined);
    try {
      await work();
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const documentOf = async (id: string): Promise<WorkflowDocument> =>
    (await api.get<WorkflowView>(`/api/workflows/${enc(id)}`)).document;

  const importFile = (file: File | undefined): void => {
    if (file === undefined) return;
    void act(async () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await file.text()) as unknown;
      } catch {
        throw new Error(`${file.name} is not JSON`);
      }
      const saved = await api.post<WorkflowView>('/api/workflows', parsed);
      navigate(`/workflows/${enc(saved.id)}`);
    });
  };

  return (
    <>
      <div class="page-head">
        <h1>Workflows</h1>
        <div class="actions">
          <label class="button">
            Import JSON
            <input
              type="file"
              accept="application/json,.json"
              class="visually-hidden"
              onChange={(e) => {
                importFile(e.currentTarget.files?.[0]);
                e.currentTarget.value = '';
              }}
            />
          </label>
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New workflow
          </button>
        </div>
      </div>
      <ErrorBox error={error ?? list.error} />
      {list.data === undefined ? (
        list.loading ? (
          <Loading />
        ) : null
      ) : list.data.workflows.length === 0 ? (
        <div class="empty card">
          <h2>No workflows yet</h2>
          <p>Create one and add Customer.io steps to it, or import a workflow JSON document.</p>
        </div>
      ) : (
        <div class="card table-card">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Trigger</th>
                <th scope="col">Last run</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.workflows.map((w) => {
                const trigger = w.trigger_type ?? w.trigger.type;
                return (
                  <tr key={w.id}>
                    <td>
                      <a href={`/workflows/${enc(w.id)}`} onClick={onLinkClick} class="strong">
                        {w.name}
                      </a>
                      {w.visibility === 'organisation' ? <span class="badge">shared</span> : null}
                    </td>
                    <td>{TRIGGER_LABELS[trigger] ?? trigger}</td>
                    <td>
                      <StatusBadge status={w.last_run?.status} />{' '}
                      {w.last_run === null || w.last_run === undefined ? null : (
                        <Time at={w.last_run.created_at} />
                      )}
                    </td>
                    <td>
                      <Time at={w.updated_at} />
                    </td>
                    <td class="row-actions">
                      <button
                        type="button"
                        class="small"
                        aria-label={`Rename ${w.name}`}
                        onClick={() => setRenaming(w)}
                      >
                        Rename
                      </button>
                      <button
                        type="button"
                        class="small"
                        aria-label={`Duplicate ${w.name}`}
                        onClick={() =>
                          void act(async () => {
                            const doc = await documentOf(w.id);
                            await api.post('/api/workflows', {
                              ...doc,
                              name: `${doc.name} (copy)`.slice(0, 200),
                            });
                          })
                        }
                      >
                        Duplicate
                      </button>
                      <button
                        type="button"
                        class="small"
                        aria-label={`Export ${w.name}`}
                        onClick={() => void act(async () => download(w.name, await documentOf(w.id)))}
                      >
                        Export
                      </button>
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Delete ${w.name}`}
                        onClick={() => {
                          if (confirm(`Delete the workflow "${w.name}" with its versions and runs?`))
                            void act(async () => {
                              await api.del(`/api/workflows/${enc(w.id)}`);
                            });
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
        <NameDialog
          title="New workflow"
          initial=""
          submit="Create"
          onClose={() => setCreating(false)}
          onSubmit={async (name) => {
            navigate(`/workflows/new?name=${enc(name)}`);
          }}
        />
      ) : null}
      {renaming === undefined ? null : (
        <NameDialog
          title="Rename workflow"
          initial={renaming.name}
          submit="Rename"
          onClose={() => setRenaming(undefined)}
          onSubmit={async (name) => {
            const doc = await documentOf(renaming.id);
            await api.put(`/api/workflows/${enc(renaming.id)}`, { ...doc, name });
            setRenaming(undefined);
            list.reload();
          }}
        />
      )}
    </>
  );
}

function NameDialog(props: {
  title: string;
  initial: string;
  submit: string;
  onClose: () => void;
  onSubmit: (name: string) => Promise<void>;
}) {
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<unknown>();
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit(name.trim()).catch(setError);
        }}
      >
        <div class="field">
          <label for="workflow-name">Name</label>
          <input
            id="workflow-name"
            required
            maxLength={200}
            value={name}
            autoFocus
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <ErrorBox error={error} />
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            {props.submit}
          </button>
        </div>
      </form>
    </Modal>
  );
}
