/**
 * Secrets in a workflow's trigger (the webhook's shared HMAC secret, the Customer.io webhook
 * signing key) are write-only: sealed with the store's master key before the document is saved,
 * shown as `[REDACTED]` when it is read, and kept as they were when a document comes back with
 * `[REDACTED]` (the console saves what it loaded). Runs never see them.
 *
 * The webhook URL's token is derived from the master key, the workflow id and the token's
 * generation (HMAC), so it is unguessable without being stored anywhere, and rotating it is a
 * counter's increment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { REDACTED } from '../../redact.js';
import { open, seal, type MasterKey } from '../../store/secret-box.js';
import type { WorkflowDocument } from '../../workflows/document.js';

/** The secret field of each trigger type that has one. */
export const SECRET_FIELDS: Readonly<Record<string, string>> = {
  webhook: 'secret',
  customerio_webhook: 'signing_key',
};

interface Sealed {
  sealed: string;
}
const isSealed = (v: unknown): v is Sealed =>
  typeof v === 'object' && v !== null && typeof (v as Sealed).sealed === 'string';

/** The document to store: the trigger's secret sealed (or carried over from the previous version). */
export function sealTriggerSecret(
  master: MasterKey,
  document: WorkflowDocument,
  previous: WorkflowDocument | undefined,
): WorkflowDocument {
  const field = SECRET_FIELDS[document.trigger.type];
  if (field === undefined) return document;
  const value = (document.trigger as Record<string, unknown>)[field];
  if (value === undefined) return document;
  let stored: Sealed;
  if (value === REDACTED || isSealed(value)) {
    const before =
      previous?.trigger.type === document.trigger.type
        ? (previous.trigger as Record<string, unknown>)[field]
        : undefined;
    if (!isSealed(before)) {
      throw new ValidationError('Invalid workflow', [
        { path: `/trigger/${field}`, message: 'must be the secret itself (there is no earlier one to keep)' },
      ]);
    }
    stored = before;
  } else if (typeof value === 'string' && value.length >= 8 && value.length <= 1000) {
    stored = { sealed: seal(master, value, `trigger:${field}`) };
  } else {
    throw new ValidationError('Invalid workflow', [
      { path: `/trigger/${field}`, message: 'must be a string of 8–1000 characters' },
    ]);
  }
  return { ...document, trigger: { ...document.trigger, [field]: stored } };
}

/** The document as clients see it: the secret, if any, as `[REDACTED]`. */
export function maskTriggerSecret(document: WorkflowDocument): WorkflowDocument {
  const field = SECRET_FIELDS[document.trigger.type];
  if (field === undefined || (document.trigger as Record<string, unknown>)[field] === undefined)
    return document;
  return { ...document, trigger: { ...document.trigger, [field]: REDACTED } };
}

/** The trigger's secret in clear, for checking a delivery; undefined when it has none. */
export function triggerSecret(master: MasterKey, document: WorkflowDocument): string | undefined {
  const field = SECRET_FIELDS[document.trigger.type];
  const value = field === undefined ? undefined : (document.trigger as Record<string, unknown>)[field];
  return isSealed(value)
    ? open(master, value.sealed, `trigger:${field ?? ''}`, `trigger ${field ?? ''}`)
    : undefined;
}

/**
 * The token in a workflow's webhook URL: derived from the master key, the workflow id and the
 * token's generation, so nothing is stored and rotating (generation + 1) retires the old URL.
 * Generation 0 keeps the derivation of tokens issued before rotation existed.
 */
export function webhookToken(master: MasterKey, workflow: { id: string; hookGeneration: number }): string {
  const label =
    workflow.hookGeneration === 0
      ? `cioc-webhook-token:${workflow.id}`
      : `cioc-webhook-token:${workflow.id}:${String(workflow.hookGeneration)}`;
  return createHmac('sha256', master.key).update(label).digest('base64url');
}

export function isWebhookToken(
  master: MasterKey,
  workflow: { id: string; hookGeneration: number },
  token: string,
): boolean {
  const expected = Buffer.from(webhookToken(master, workflow));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
