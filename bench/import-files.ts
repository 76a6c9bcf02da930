/** Input files for the import benchmarks and the chaos run, generated (never committed). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const PLANS = ['free', 'pro', 'team', 'enterprise'];
const COUNTRIES = ['FR', 'DE', 'US', 'JP', 'BR', 'IN'];

async function writeLines(
  path: string,
  rows: number,
  header: string | undefined,
  line: (i: number) => string,
) {
  const out = createWriteStream(path);
  let buffer = header === undefined ? '' : `${header}\n`;
  for (let i = 0; i < rows; i++) {
    buffer += `${line(i)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/** A CRM export: `id,email,first_name,last_name,plan,country,created_at` (about 100 bytes a row). */
export function writePeopleCsv(path: string, rows: number): Promise<void> {
  return writeLines(path, rows, 'id,email,first_name,last_name,plan,country,created_at', (i) =>
    [
      String(100_000 + i),
      `user${String(i)}@example.com`,
      `First${String(i % 977)}`,
      `Last${String(i % 1013)}`,
      PLANS[i % PLANS.length],
      COUNTRIES[i % COUNTRIES.length],
      String(1_600_000_000 + i),
    ].join(','),
  );
}

/** A backfill of events: `{"id","name","timestamp","order","total"}` per line. */
export function writeEventsNdjson(path: string, rows: number): Promise<void> {
  return writeLines(path, rows, undefined, (i) =>
    JSON.stringify({
      id: String(100_000 + (i % 50_000)),
      name: i % 3 === 0 ? 'order_placed' : 'page_viewed',
      timestamp: 1_700_000_000 + Math.floor(i / 10),
      row: i + 1,
      total: (i % 500) + 0.99,
    }),
  );
}
