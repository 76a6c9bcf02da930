/**
 * "New authentication": page one Name and Personal / Organisational, "Next"; page two API Key
 * (and Site ID for Track) and Region, "Create authentication". The secrets live only in this
 * component's state and are dropped when it closes; the server never sends them back.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useSession } from '../session.js';
import type { Authentication } from '../types.js';
import { ErrorBox } from './feedback.js';
import { Modal } from './modal.js';

export const CONNECTOR_NAMES: Record<string, string> = {
  track: 'Customer.io - Track',
  app: 'Customer.io - App',
  beta: 'Customer.io - Beta',
};

export function NewAuthenticationModal(props: {
  connector: string | undefined;
  onClose: () => void;
  onCreated: (created: Authentication) => void;
}) {
  const { config } = useSession();
  const [page, setPage] = useState<1 | 2>(1);
  const [connector, setConnector] = useState(props.connector ?? 'track');
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'personal' | 'organisational'>('personal');
  const [apiKey, setApiKey] = useState('');
  const [siteId, setSiteId] = useState('');
  const [region, setRegion] = useState(config?.emulatorUrl == null ? 'us' : 'emulator');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const track = connector === 'track';

  const create = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<Authentication>('/api/authentications', {
        name: name.trim(),
        connector,
        scope,
        region,
        credentials: { api_key: apiKey, ...(track ? { site_id: siteId } : {}) },
      });
      setApiKey('');
      setSiteId('');
      props.onCreated(created);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={`New authentication${props.connector === undefined ? '' : ` for ${CONNECTOR_NAMES[connector] ?? connector}`}`}
      onClose={props.onClose}
    >
      {page === 1 ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setPage(2);
          }}
        >
          <p class="muted step-count">Step 1 of 2</p>
          {props.connector === undefined ? (
            <div class="field">
              <label for="auth-connector">Connector</label>
              <select
                id="auth-connector"
                value={connector}
                onChange={(e) => setConnector(e.currentTarget.value)}
              >
                {Object.entries(CONNECTOR_NAMES).map(([id, label]) => (
                  <option key={id} value={id}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div class="field">
            <label for="auth-name">Name</label>
            <input
              id="auth-name"
              required
              maxLength={100}
              autoFocus
              value={name}
              aria-describedby="auth-name-help"
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <p class="help" id="auth-name-help">
              Steps choose it by this name, e.g. “Production Track”.
            </p>
          </div>
          <fieldset class="field radios">
            <legend>Who can use it</legend>
            <label>
              <input
                type="radio"
                name="auth-scope"
                value="personal"
                checked={scope === 'personal'}
                onChange={() => setScope('personal')}
              />
              Personal
            </label>
            <label>
              <input
                type="radio"
                name="auth-scope"
                value="organisational"
                checked={scope === 'organisational'}
                onChange={() => setScope('organisational')}
              />
              Organisational
            </label>
            <p class="help">Personal: only you. Organisational: everyone in your organisation.</p>
          </fieldset>
          <div class="modal-actions">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" class="primary">
              Next
            </button>
          </div>
        </form>
      ) : (
        <form onSubmit={(e) => void create(e)} autoComplete="off">
          <p class="muted step-count">Step 2 of 2 — {name}</p>
          <div class="field">
            <label for="auth-key">API Key</label>
            <input
              id="auth-key"
              type="password"
              required
              maxLength={500}
              autoFocus
              autoComplete="new-password"
              aria-describedby="auth-key-help"
              value={apiKey}
              onInput={(e) => setApiKey(e.currentTarget.value)}
            />
            <p class="help" id="auth-key-help">
              {track
                ? 'The Track API key of the workspace (Settings → API Credentials).'
                : 'An App API key (Bearer token). Stored encrypted; never shown again.'}
            </p>
          </div>
          {track ? (
            <div class="field">
              <label for="auth-site">Site ID</label>
              <input
                id="auth-site"
                required
                maxLength={200}
                autoComplete="off"
                value={siteId}
                onInput={(e) => setSiteId(e.currentTarget.value)}
              />
            </div>
          ) : null}
          <div class="field">
            <label for="auth-region">Region</label>
            <select id="auth-region" value={region} onChange={(e) => setRegion(e.currentTarget.value)}>
              <option value="us">US</option>
              <option value="eu">EU</option>
              {config?.emulatorUrl == null ? null : <option value="emulator">Emulator</option>}
            </select>
          </div>
          <ErrorBox error={error} />
          <div class="modal-actions">
            <button type="button" onClick={() => setPage(1)}>
              Back
            </button>
            <button type="submit" class="primary" disabled={busy}>
              Create authentication
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

export const regionLabel = (region: string): string =>
  region === 'us' || region === 'eu'
    ? region.toUpperCase()
    : region.charAt(0).toUpperCase() + region.slice(1);

export function TestResult(props: {
  result: { ok: boolean; message: string; account_region?: string; fix?: string };
}) {
  const r = props.result;
  return (
    <div class={r.ok ? 'test-result ok' : 'test-result failed'} role="status">
      <strong>{r.ok ? 'Works' : 'Failed'}:</strong> {r.message}
      {r.account_region === undefined ? null : (
        <p>
          Account region: <strong>{regionLabel(r.account_region)}</strong>
        </p>
      )}
      {r.fix === undefined ? null : <p class="hint">{r.fix}</p>}
    </div>
  );
}
