/**
 * What the server checks in a document's trigger when it is saved, beyond the document schema:
 * each type's own settings (a valid cron and time zone, a signing key for Customer.io webhooks…)
 * and no setting that belongs to another type.
 */
import { Cron } from 'croner';
import type { ValidationIssue } from '../../errors.js';
import type { Trigger } from '../../workflows/document.js';

const FIELDS: Readonly<Record<string, readonly string[]>> = {
  manual: [],
  webhook: ['respond', 'secret', 'signature_header'],
  schedule: ['cron', 'timezone'],
  customerio_webhook: ['signing_key', 'tolerance_seconds'],
};

export function triggerIssues(trigger: Trigger): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const allowed = FIELDS[trigger.type] ?? [];
  for (const key of Object.keys(trigger)) {
    if (key !== 'type' && !allowed.includes(key))
      issues.push({
        path: `/trigger/${key}`,
        message: `is not a setting of the ${trigger.type} trigger${allowed.length > 0 ? ` (it has ${allowed.join(', ')})` : ''}`,
      });
  }
  const t = trigger as Record<string, unknown>;
  if (trigger.type === 'schedule') {
    if (typeof t['cron'] !== 'string')
      issues.push({ path: '/trigger/cron', message: 'is required for a schedule' });
    else {
      const zone = typeof t['timezone'] === 'string' ? t['timezone'] : undefined;
      if (zone !== undefined && !isTimeZone(zone))
        issues.push({
          path: '/trigger/timezone',
          message: `"${zone}" is not an IANA time zone (e.g. Europe/Paris)`,
        });
      else {
        try {
          scheduleOf(t['cron'], zone).nextRun();
        } catch (error) {
          issues.push({
            path: '/trigger/cron',
            message: `is not a valid cron expression: ${(error as Error).message}`,
          });
        }
      }
    }
  }
  if (trigger.type === 'webhook' && t['signature_header'] !== undefined) {
    if (typeof t['signature_header'] !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(t['signature_header']))
      issues.push({ path: '/trigger/signature_header', message: 'must be an HTTP header name' });
    else if (t['secret'] === undefined)
      issues.push({ path: '/trigger/secret', message: 'is required when signature_header is set' });
  }
  if (trigger.type === 'customerio_webhook') {
    if (t['signing_key'] === undefined)
      issues.push({
        path: '/trigger/signing_key',
        message: "is required: the webhook's signing key from Customer.io",
      });
    const tolerance = t['tolerance_seconds'];
    if (
      tolerance !== undefined &&
      !(Number.isInteger(tolerance) && (tolerance as number) >= 0 && (tolerance as number) <= 86_400)
    )
      issues.push({
        path: '/trigger/tolerance_seconds',
        message: 'must be an integer from 0 (no check) to 86400',
      });
  }
  return issues;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A croner schedule used only to compute occurrences (it never starts a timer of its own). */
export function scheduleOf(cron: string, timezone: string | undefined): Cron {
  return new Cron(cron, { ...(timezone === undefined ? {} : { timezone }), paused: true });
}
