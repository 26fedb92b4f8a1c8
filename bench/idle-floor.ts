// The idle-demo bench's baseline, run as a process of its own: the floor of the demo's job, the synthetic
// feed's ticks (FEED_RATE per second, a batch every 250 ms as the feed releases them) inserted as plain rows into an embedded PGlite
// database, nothing else. `node --import tsx bench/idle-floor.ts <dir> <rate>`; runs until killed.
import { createPgliteClient } from '../infra/sql/pglite-client.ts';

const [dir, rateArg] = process.argv.slice(2);
const rate = Number(rateArg ?? 20);
const BATCH_EVERY_MS = 250; // the synthetic feed's default interval
const sql = await createPgliteClient(dir);
await sql.exec(`create table if not exists ticks (position bigserial primary key, event_id uuid not null unique,
  stream_id text not null, data json not null, recorded_at timestamptz not null default now())`);
let carry = 0;
setInterval(() => {
  carry += (rate * BATCH_EVERY_MS) / 1000;
  const n = Math.floor(carry);
  carry -= n;
  if (n === 0) return;
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  const data = ids.map((_, i) => JSON.stringify({ symbol: 'XAUUSD', bid: { $bigint: String(234_500 + i) }, ask: { $bigint: String(234_525 + i) }, timestamp: new Date().toISOString() }));
  void sql.query('insert into ticks (event_id, stream_id, data) select unnest($1::uuid[]), $2, unnest($3::json[])', [ids, 'ticks-XAUUSD', data]);
}, BATCH_EVERY_MS);
process.stdout.write('ready\n');
