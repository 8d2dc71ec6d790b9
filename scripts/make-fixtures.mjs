// Writes the data-input fixtures: one small event log of a lead → poc → won funnel in three
// formats, test/fixtures/events.{json,arrow,parquet}, the same rows in each. The log comes from a
// seeded PRNG, so a run gives the same bytes every time and test/analytics/data-input.test.ts can
// hold the counts printed below. Run: node scripts/make-fixtures.mjs
//
// The Arrow file uses the types an exporter would: Int32 entity ids, dictionary-encoded strings
// (the region with nulls), millisecond timestamps and an Int64 amount. The Parquet file is the
// same with a TIMESTAMP_MILLIS time and an INT64 amount, Snappy-compressed (hyparquet-writer's
// default, which hyparquet reads), in row groups of 500 so a reader must join several.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dictionary, int32, int64, tableFromArrays, tableToIPC, timestamp, TimeUnit, utf8 } from '@uwdata/flechette';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { createRng } from '../demo/data/rng.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}test/fixtures/`;

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const ENTITIES = 500;
const REGIONS = ['emea', 'amer', 'apac'];

/** The sample data's seeded PRNG (mulberry32), so the fixtures are the same on every run and machine. */
const prng = createRng;

/**
 * Each entity: a lead in January, some visits around it, a poc after 0–20 days for 60% of them
 * and a won 0–20 days after that for half of those (so some convert outside a 14-day window).
 * Two entities carry no region. Rows are in time order, ties by entity.
 */
function makeEvents() {
  const random = prng(20240101);
  const between = (lo, hi) => lo + Math.floor(random() * (hi - lo));
  const rows = [];
  for (let entity = 1; entity <= ENTITIES; entity++) {
    const region = entity === 17 || entity === 333 ? null : REGIONS[between(0, REGIONS.length)];
    const lead = START + between(0, 31 * DAY);
    const push = (event, time, amount) => rows.push({ entity, event, time, region, amount });
    push('lead', lead, 0);
    for (let v = between(1, 4); v > 0; v--) push('visit', lead + between(-3 * DAY, 10 * DAY), 0);
    if (random() < 0.6) {
      const poc = lead + between(0, 20 * DAY);
      push('poc', poc, 0);
      if (random() < 0.5) push('won', poc + between(0, 20 * DAY), between(1_000, 50_000));
    }
  }
  rows.sort((a, b) => a.time - b.time || a.entity - b.entity);
  return rows;
}

/** The rows as Arrow IPC (file format) with the column types an exporter would write. */
function arrowBytes(rows) {
  const table = tableFromArrays(
    {
      entity: Int32Array.from(rows, (r) => r.entity),
      event: rows.map((r) => r.event),
      time: rows.map((r) => r.time),
      region: rows.map((r) => r.region),
      amount: rows.map((r) => BigInt(r.amount)),
    },
    { types: { entity: int32(), event: dictionary(utf8()), time: timestamp(TimeUnit.MILLISECOND), region: dictionary(utf8()), amount: int64() } },
  );
  return tableToIPC(table, { format: 'file' });
}

/** The rows as Parquet, column by column, in row groups of 500. */
function parquetBytes(rows) {
  return parquetWriteBuffer({
    columnData: [
      { name: 'entity', data: Int32Array.from(rows, (r) => r.entity), type: 'INT32', nullable: false },
      { name: 'event', data: rows.map((r) => r.event), type: 'STRING', nullable: false },
      { name: 'time', data: rows.map((r) => new Date(r.time)), type: 'TIMESTAMP', nullable: false },
      { name: 'region', data: rows.map((r) => r.region), type: 'STRING' },
      { name: 'amount', data: BigInt64Array.from(rows, (r) => BigInt(r.amount)), type: 'INT64', nullable: false },
    ],
    rowGroupSize: 500,
  });
}

const rows = makeEvents();
await mkdir(out, { recursive: true });
await writeFile(`${out}events.json`, `${JSON.stringify(rows)}\n`);
await writeFile(`${out}events.arrow`, arrowBytes(rows));
await writeFile(`${out}events.parquet`, new Uint8Array(parquetBytes(rows)));

/**
 * The lead → poc → won funnel with a 14-day window, counted the plain way: every entity has one
 * lead, at most one poc and one won, so an entity reaches a step when that step's event follows
 * the previous one and lies within 14 days of its lead.
 */
function funnelCounts(rows) {
  const byEntity = new Map();
  for (const r of rows) {
    if (!byEntity.has(r.entity)) byEntity.set(r.entity, {});
    byEntity.get(r.entity)[r.event] = r.time;
  }
  const counts = [0, 0, 0];
  for (const { lead, poc, won } of byEntity.values()) {
    if (lead === undefined) continue;
    counts[0]++;
    if (poc === undefined || poc < lead || poc - lead > 14 * DAY) continue;
    counts[1]++;
    if (won !== undefined && won >= poc && won - lead <= 14 * DAY) counts[2]++;
  }
  return counts;
}

const count = (event) => rows.filter((r) => r.event === event).length;
console.log(
  `fixtures: ${rows.length} events over ${ENTITIES} entities; ` +
    `lead ${count('lead')}, visit ${count('visit')}, poc ${count('poc')}, won ${count('won')}; ` +
    `no region: ${rows.filter((r) => r.region === null).length} rows; ` +
    `funnel lead → poc → won within 14 days: ${funnelCounts(rows).join(', ')}`,
);
