/**
 * Exports and collections as the workspace keeps them: an export is a CSV made when it is asked
 * for, `pending` for a moment and then `done` (as the real, asynchronous exports are).
 */

/** How long an export stays `pending`. */
export const EXPORT_DELAY_MS = 100;

export interface ExportRecord {
  id: number;
  type: 'customers' | 'deliveries';
  /** ms since the epoch. */
  created: number;
  csv: string;
  rows: number;
}

export interface CollectionRecord {
  id: number;
  name: string;
  data: unknown[];
  url: string | null;
  created_at: number;
  updated_at: number;
}

export function exportDone(record: ExportRecord, at = Date.now()): boolean {
  return at - record.created >= EXPORT_DELAY_MS;
}

function csvCell(value: unknown): string {
  const text =
    typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n'
  );
}
