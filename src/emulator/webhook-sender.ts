/**
 * Outbound reporting webhooks (customerio-api.md §5, §7a.9): for every configured, enabled webhook
 * whose events include `<object_type>_<metric>`, the emulator POSTs the event, one per request,
 * signed with `X-CIO-Timestamp` and `X-CIO-Signature = hex(HMAC-SHA256(key, "v0:ts:body"))`, with
 * a 4 s timeout. A failed delivery is retried with exponential backoff and holds back the
 * webhook's later events, as Customer.io does; the emulator gives up after `maxAttempts` (the real
 * service keeps trying for 7 days).
 */
import { request } from 'undici';
import { ulid } from '../ulid.js';
import { signWebhook } from '../webhooks/verify.js';

export interface WebhookEvent {
  event_id: string;
  object_type: string;
  metric: string;
  timestamp: number;
  data: Record<string, unknown>;
}

export interface WebhookDeliveryRecord {
  webhook_id: number;
  event_id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

export interface WebhookTarget {
  id: number;
  endpoint: string;
  events: readonly string[];
  disabled: boolean;
}

export interface SenderOptions {
  signingKey: string;
  /** First retry delay; doubles each time (default 1000 ms). */
  retryBaseMs?: number;
  /** Attempts before giving up on an event (default 8). */
  maxAttempts?: number;
  timeoutMs?: number;
}

interface Queued {
  event: WebhookEvent;
  body: string;
  record: WebhookDeliveryRecord;
}

export function newEvent(
  objectType: string,
  metric: string,
  data: Record<string, unknown>,
  timestamp: number,
): WebhookEvent {
  return { event_id: ulid(), object_type: objectType, metric, timestamp, data };
}

export class WebhookSender {
  readonly log: WebhookDeliveryRecord[] = [];
  private readonly queues = new Map<number, Queued[]>();
  private readonly busy = new Set<number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly options: SenderOptions,
    private readonly targets: () => Iterable<WebhookTarget>,
  ) {}

  emit(event: WebhookEvent): void {
    if (this.closed) return;
    const name = `${event.object_type}_${event.metric}`;
    const body = JSON.stringify(event);
    for (const target of this.targets()) {
      if (target.disabled || !target.events.includes(name)) continue;
      const record: WebhookDeliveryRecord = {
        webhook_id: target.id,
        event_id: event.event_id,
        event: name,
        status: 'pending',
        attempts: 0,
        last_status: null,
        last_error: null,
      };
      this.log.push(record);
      const queue = this.queues.get(target.id) ?? [];
      queue.push({ event, body, record });
      this.queues.set(target.id, queue);
      void this.pump(target.id);
    }
  }

  /** Sends a webhook's queue in order; a failing head holds the rest back until it is settled. */
  private async pump(webhookId: number): Promise<void> {
    if (this.busy.has(webhookId) || this.closed) return;
    this.busy.add(webhookId);
    try {
      const queue = this.queues.get(webhookId) ?? [];
      // `closed` changes while this awaits: read it through a method, not a narrowed field.
      while (queue.length > 0 && this.isOpen()) {
        const head = queue[0];
        if (head === undefined) break;
        const target = [...this.targets()].find((t) => t.id === webhookId);
        if (target === undefined) {
          queue.length = 0; // the webhook was deleted
          break;
        }
        const ok = await this.attempt(target, head);
        if (ok || head.record.attempts >= (this.options.maxAttempts ?? 8)) {
          head.record.status = ok ? 'delivered' : 'failed';
          queue.shift();
          continue;
        }
        const delay = (this.options.retryBaseMs ?? 1000) * 2 ** (head.record.attempts - 1);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            resolve();
          }, delay);
          this.timers.add(timer);
        });
      }
    } finally {
      this.busy.delete(webhookId);
    }
  }

  private async attempt(target: WebhookTarget, item: Queued): Promise<boolean> {
    item.record.attempts += 1;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await request(target.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-cio-timestamp': String(timestamp),
          'x-cio-signature': signWebhook(this.options.signingKey, timestamp, item.body),
        },
        body: item.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 4000),
      });
      await response.body.dump();
      item.record.last_status = response.statusCode;
      item.record.last_error = null;
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch (error) {
      item.record.last_status = null;
      item.record.last_error = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  private isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
