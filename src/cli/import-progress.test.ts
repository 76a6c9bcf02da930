import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../import/import-file.js';
import { ImportProgressView } from './import-progress.js';
import type { Io } from './io.js';

/** A terminal `columns` wide: what the view writes to stderr, as the screen would show its last line. */
function terminal(columns: number): { io: Io; screen: () => string } {
  let written = '';
  const stderr = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.toString();
        callback();
      },
    }),
    { isTTY: true, columns },
  );
  const io: Io = { stdout: new PassThrough(), stderr, stdin: new PassThrough(), env: { NO_COLOR: '1' } };
  return { io, screen: () => written.split('\r\u001b[K').at(-1) ?? '' };
}

const progress = (p: Partial<ImportProgress>): ImportProgress => ({
  phase: 'importing',
  rowsRead: 0,
  bytesRead: 0,
  totalBytes: 2_000_000_000,
  sent: 0,
  rejected: 0,
  retrying: 0,
  requests: 0,
  rateLimited: 0,
  acknowledgedThrough: 0,
  resumedAfter: 0,
  elapsedMs: 0,
  ...p,
});

describe('ImportProgressView on a terminal', () => {
  it('keeps the counts on an 80-column line: bytes and ETA go first; a wide one shows everything', async () => {
    for (const columns of [80, 100, 160]) {
      const { io, screen } = terminal(columns);
      const view = new ImportProgressView(io, true, 'people.csv');
      view.update(progress({ rowsRead: 100_000, bytesRead: 10_000_000, sent: 99_000 }));
      await new Promise((resolve) => setTimeout(resolve, 250));
      view.update(
        progress({
          rowsRead: 1_234_567,
          bytesRead: 123_456_789,
          sent: 1_234_000,
          rejected: 12,
          retrying: 345,
        }),
      );
      const line = screen();
      expect(line.length).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain('sent 1,234,000 · rejected 12 · retrying 345');
      expect(line).toContain('1,234,567 rows');
      if (columns === 160) expect(line).toMatch(/[█░]{20} +6.2% .* MB \/ .* GB .* rows\/s +ETA /);
      if (columns === 80) expect(line).not.toContain('ETA');
    }
  });
});
