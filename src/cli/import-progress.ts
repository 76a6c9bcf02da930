/**
 * What `cioc import` says while it works. On a terminal: one live line, redrawn in place, with a
 * bar, the share done and the ETA when the size is known, rows/s, bytes, and the sent / rejected /
 * retrying counts. Elsewhere (a pipe, a log file, `--json`): one plain line every few seconds.
 */
import type { ImportProgress } from '../import/import-file.js';
import { paint, type Io } from './io.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 20;
/** Plain lines: one every this many ms. */
const PLAIN_EVERY_MS = 5_000;

export class ImportProgressView {
  private frame = 0;
  private drawn = false;
  private lastPlain = Date.now();
  /**
   * (time, rows settled, bytes read) samples over the last few seconds, for the current rate. Rows
   * per second counts rows sent or rejected, not rows read: reading ends before sending does, and a
   * rate of rows read would fall to 0 while the last requests are still going.
   */
  private samples: { at: number; rows: number; bytes: number }[] = [];

  constructor(
    private readonly io: Io,
    private readonly human: boolean,
    private readonly label: string,
  ) {}

  readonly update = (p: ImportProgress): void => {
    const now = Date.now();
    this.samples.push({ at: now, rows: p.sent + p.rejected, bytes: p.bytesRead });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? now) < now - 3_000) this.samples.shift();
    if (this.human) {
      const width = Math.max(40, (this.io.stderr.columns ?? 100) - 1);
      this.io.stderr.write(`\r\u001b[K${fit(this.line(p, true, width), width)}`);
      this.drawn = true;
      return;
    }
    if (p.phase !== 'fingerprint' && now - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = now;
      this.io.stderr.write(`${this.line(p, false)}\n`);
    }
  };

  /** Leaves the last state on screen as a finished line. */
  finish(last?: ImportProgress): void {
    if (!this.human || !this.drawn) return;
    if (last !== undefined) this.update(last);
    this.io.stderr.write('\n');
    this.drawn = false;
  }

  private rate(): { rows: number; bytes: number } {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at < 200) return { rows: 0, bytes: 0 };
    const seconds = (last.at - first.at) / 1000;
    return { rows: (last.rows - first.rows) / seconds, bytes: (last.bytes - first.bytes) / seconds };
  }

  /**
   * The line; on a terminal `width` wide at most: the parts that matter least go first when it is
   * narrow (bytes, then the ETA, the bar, the rate), so the counts always show.
   */
  private line(p: ImportProgress, human: boolean, width = Infinity): string {
    if (p.phase === 'fingerprint') return `${this.spinner(human)}Reading ${this.label} to fingerprint it…`;
    const rate = this.rate();
    /** Each part with its rank: the higher, the sooner it is dropped. */
    const parts: { text: string; drop: number }[] = [];
    const share =
      p.totalBytes !== undefined && p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : undefined;
    if (human && share !== undefined) {
      const full = Math.round(share * BAR_WIDTH);
      parts.push({
        text: paint(this.io, 36, '█'.repeat(full)) + paint(this.io, 2, '░'.repeat(BAR_WIDTH - full)),
        drop: 3,
      });
    }
    if (share !== undefined) parts.push({ text: `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`, drop: 0 });
    parts.push({ text: `${int(p.rowsRead)} rows`, drop: 0 });
    parts.push({
      text:
        p.totalBytes === undefined ? bytes(p.bytesRead) : `${bytes(p.bytesRead)} / ${bytes(p.totalBytes)}`,
      drop: 5,
    });
    if (p.phase === 'skipping') parts.push({ text: `skipping to row ${int(p.resumedAfter + 1)}`, drop: 0 });
    else parts.push({ text: `${int(rate.rows)} rows/s`, drop: 2 });
    if (share !== undefined && rate.bytes > 0 && p.totalBytes !== undefined && p.phase === 'importing')
      parts.push({ text: `ETA ${duration((p.totalBytes - p.bytesRead) / rate.bytes)}`, drop: 4 });
    const counts = [`sent ${int(p.sent)}`, `rejected ${int(p.rejected)}`, `retrying ${int(p.retrying)}`];
    if (p.rateLimited > 0) counts.push(`429s ${int(p.rateLimited)}`);
    if (p.phase === 'finishing') counts.push('finishing');
    const compose = (): string => `${parts.map((part) => part.text).join('  ')}  ${counts.join(' · ')}`;
    if (!human) return `import ${this.label}: ${compose().replace(/ {2}/g, ', ')}`;
    // The spinner takes 2 columns.
    for (let rank = 5; rank > 0 && visibleLength(compose()) + 2 > width; rank--) {
      const at = parts.findIndex((part) => part.drop === rank);
      if (at >= 0) parts.splice(at, 1);
    }
    return `${this.spinner(true)}${compose()}`;
  }

  private spinner(human: boolean): string {
    return human ? `${paint(this.io, 36, SPINNER[this.frame++ % SPINNER.length] ?? '')} ` : '';
  }
}

/** The characters of a line a terminal shows (colour codes left out). */
function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex -- colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Cuts a line with colour codes to `width` visible characters. */
function fit(text: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\u001b') {
      const end = text.indexOf('m', i);
      out += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += text.charAt(i);
    visible++;
  }
  return out;
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function bytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${String(h)}:${String(m).padStart(2, '0')}:${rest}` : `${String(m)}:${rest}`;
}
