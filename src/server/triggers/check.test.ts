import { describe, expect, it } from 'vitest';
import { scheduleOf, triggerIssues } from './check.js';

describe('schedule occurrences', () => {
  it("follow the trigger's time zone, across a daylight-saving change", () => {
    const paris = scheduleOf('0 9 * * *', 'Europe/Paris');
    expect(paris.nextRun(new Date('2026-03-28T12:00:00Z'))?.toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(paris.nextRun(new Date('2026-03-27T12:00:00Z'))?.toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(scheduleOf('0 9 * * *', undefined).nextRun(new Date('2026-03-28T12:00:00Z'))?.toISOString()).toBe(
      '2026-03-29T09:00:00.000Z',
    );
  });
});

describe('trigger settings', () => {
  it('are checked per type', () => {
    expect(triggerIssues({ type: 'manual' })).toEqual([]);
    expect(triggerIssues({ type: 'schedule', cron: '*/5 * * * *', timezone: 'UTC' })).toEqual([]);
    expect(triggerIssues({ type: 'schedule' })).toEqual([
      { path: '/trigger/cron', message: 'is required for a schedule' },
    ]);
    expect(triggerIssues({ type: 'schedule', cron: '61 * * * *' })[0]?.path).toBe('/trigger/cron');
    expect(triggerIssues({ type: 'manual', cron: '* * * * *' })[0]?.path).toBe('/trigger/cron');
    expect(triggerIssues({ type: 'webhook', signature_header: 'X-Sig' })).toEqual([
      { path: '/trigger/secret', message: 'is required when signature_header is set' },
    ]);
    expect(
      triggerIssues({ type: 'customerio_webhook', signing_key: 'k', tolerance_seconds: -1 })[0]?.path,
    ).toBe('/trigger/tolerance_seconds');
  });
});
