// Data input formats (issue 14): the same event log as JSON, Arrow IPC, Parquet and a handed-over
// Arrow table gives the same funnel, and the counts the generator printed
// (scripts/make-fixtures.mjs). Arrow and Parquet come out as columns, numeric ones typed arrays,
// and their readers (and Arquero's CSV reader) load only when a URL of their format is used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { dictionary, int32, tableFromArrays, tableFromIPC, utf8 } from '@uwdata/flechette';
import { computeFunnel, computeView } from '../../src/analytics/compute.js';
import { arrowColumns, contractColumns } from '../../src/analytics/columns.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { FunnelContract, UrlData } from '../../src/analytics/contract.js';
import { fetchBody, parseBody, readBytes, resolveData, type FetchedBody } from '../../src/analytics/resolve-data.js';
import type { FunnelViewModel } from '../../src/analytics/funnel/view-model.js';

const DAY = 86_400_000;

interface Event {
  entity: number;
  event: string;
  time: number;
  region: string | null;
  amount: number;
}

/** A fixture file's bytes as an ArrayBuffer of its own (not a slice of Node's buffer pool). */
function fixture(name: string): ArrayBuffer {
  const buffer = readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
}

const rows: Event[] = JSON.parse(new TextDecoder().decode(fixture('events.json')));

/** A fetch that serves `bytes` for every URL, as a server would the fixture file. */
const serve = (bytes: ArrayBuffer) => (async () => new Response(bytes.slice(0))) as unknown as typeof fetch;

/** The funnel every format is read into: lead → poc → won within 14 days, broken down by region. */
function funnel<D extends FunnelContract['data']>(data: D): FunnelContract & { data: D } {
  return {
    version: 1,
    kind: 'funnel',
    data,
    fields: { entity: 'entity', time: 'time', event: 'event' },
    funnel: { steps: [{ event: 'lead' }, { event: 'poc' }, { event: 'won' }], window: '14d', breakdown: { field: 'region' } },
  };
}

const counts = (view: FunnelViewModel) => view.steps.map((s) => s.count);
const groups = (view: FunnelViewModel) => view.breakdown!.map((g) => [g.value, g.steps.map((s) => s.count)]);

/**
 * The funnel counted by hand from the rows: each entity has one lead and at most one poc and one
 * won, so it reaches a step when that event follows the previous one within 14 days of its lead.
 */
function handCounts(events: Event[]): number[] {
  const byEntity = new Map<number, Record<string, number>>();
  for (const e of events) {
    if (!byEntity.has(e.entity)) byEntity.set(e.entity, {});
    byEntity.get(e.entity)![e.event] = e.time;
  }
  const result = [0, 0, 0];
  for (const { lead, poc, won } of byEntity.values()) {
    if (lead === undefined) continue;
    result[0]++;
    if (poc === undefined || poc < lead || poc - lead > 14 * DAY) continue;
    result[1]++;
    if (won !== undefined && won >= poc && won - lead <= 14 * DAY) result[2]++;
  }
  return result;
}

test('the fixture is the generated log: 1,976 events, 500 leads, and the funnel the generator printed', () => {
  assert.equal(rows.length, 1976);
  assert.equal(new Set(rows.map((r) => r.entity)).size, 500);
  assert.equal(rows.filter((r) => r.region === null).length, 9);
  assert.deepEqual(handCounts(rows), [500, 222, 41]);
});

test('JSON, Arrow and Parquet URLs and a handed-over Arrow table give the same funnel as the hand count', async () => {
  const expected = counts(computeFunnel(funnel({ rows: rows as never })));
  assert.deepEqual(expected, handCounts(rows));
  const byRegion = groups(computeFunnel(funnel({ rows: rows as never })));
  assert.ok(byRegion.length >= 3, 'every region is a group');

  const views: Array<[string, FunnelViewModel]> = [];
  for (const format of ['json', 'arrow', 'parquet'] as const) {
    const url: UrlData = { url: `https://example.test/events.${format}`, format };
    views.push([format, await computeView('funnel', funnel(url), { fetch: serve(fixture(`events.${format}`)) })]);
  }
  const table = tableFromIPC(new Uint8Array(fixture('events.arrow')));
  views.push(['data.arrow (computeFunnel)', computeFunnel(funnel({ arrow: table }))]);
  views.push(['data.arrow (computeView)', await computeView('funnel', funnel({ arrow: table }))]);
  for (const [source, view] of views) {
    assert.deepEqual(counts(view), [500, 222, 41], source);
    assert.deepEqual(groups(view), byRegion, `${source}: the region breakdown, missing regions included`);
  }
});

test('parseBody reads Arrow into a table (data.arrow): typed arrays for numbers, epoch ms for timestamps, strings for dictionaries', async () => {
  const parsed = await parseBody({ bytes: fixture('events.arrow'), format: 'arrow', url: 'https://example.test/events.arrow' }, {});
  assert.ok('arrow' in parsed && !('rows' in parsed), 'the table, not row objects');
  const columns = arrowColumns(parsed.arrow as never);
  assert.ok(columns.entity instanceof Int32Array);
  assert.ok(columns.time instanceof Float64Array, 'a millisecond timestamp column is epoch-ms numbers');
  assert.ok(columns.amount instanceof Float64Array, 'an Int64 column is numbers, not BigInts');
  assert.equal(columns.time[0], rows[0].time);
  assert.equal(columns.event[0], rows[0].event);
  assert.deepEqual(Array.from(columns.region), rows.map((r) => r.region), 'dictionary strings as strings, nulls as null');
});

test('parseBody reads Parquet column by column across row groups: the same values as the JSON', async () => {
  const parsed = await parseBody({ bytes: fixture('events.parquet'), format: 'parquet', url: 'https://example.test/events.parquet' }, {});
  const columns = (parsed as { columns: Record<string, ArrayLike<unknown>> }).columns;
  assert.ok(columns.entity instanceof Int32Array);
  assert.ok(columns.time instanceof Float64Array, 'TIMESTAMP_MILLIS as epoch-ms numbers');
  assert.ok(columns.amount instanceof Float64Array, 'INT64 as numbers');
  for (const name of ['entity', 'event', 'time', 'region', 'amount'] as const) {
    assert.deepEqual(Array.from(columns[name]), rows.map((r) => r[name]), name);
  }
});

test('Parquet columns across row groups: numbers without nulls as a Float64Array, a null met late keeps the numbers before it, a 64-bit integer past 2^53 names its row', async () => {
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: 'n', data: [1, 2, 3, 4, null, 6, 7], type: 'INT32' },
      { name: 'm', data: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5], type: 'DOUBLE' },
      { name: 'k', data: BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n]), type: 'INT64', nullable: false },
    ],
    rowGroupSize: 2,
  });
  const parsed = (await parseBody({ bytes, format: 'parquet', url: 'https://example.test/n.parquet' }, {})) as { columns: Record<string, ArrayLike<unknown>> };
  assert.deepEqual(Array.from(parsed.columns.n), [1, 2, 3, 4, null, 6, 7]);
  assert.ok(Array.isArray(parsed.columns.n), 'a column with a null stays a plain array');
  assert.ok(parsed.columns.m instanceof Float64Array, 'nullable doubles without a null');
  assert.deepEqual(Array.from(parsed.columns.m), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
  assert.deepEqual(Array.from(parsed.columns.k), [1, 2, 3, 4, 5, 6, 7]);
  const tooBig = parquetWriteBuffer({ columnData: [{ name: 'k', data: BigInt64Array.from([1n, 2n, 3n, 2n ** 60n]), type: 'INT64', nullable: false }], rowGroupSize: 2 });
  await assert.rejects(parseBody({ bytes: tooBig, format: 'parquet', url: 'x' }, {}), /column "k", row 4: the 64-bit integer 1152921504606846976 does not fit/);
});

test('arrowColumns hands a table’s columns over without row objects', () => {
  const table = tableFromIPC(new Uint8Array(fixture('events.arrow')));
  const columns = arrowColumns(table);
  assert.deepEqual(Object.keys(columns), ['entity', 'event', 'time', 'region', 'amount']);
  assert.ok(columns.entity instanceof Int32Array);
  assert.equal(columns.entity.length, rows.length);
  // Any table of that shape will do; BigInt columns (Apache Arrow JS's Int64) become numbers.
  const like = {
    schema: { fields: [{ name: 'id' }, { name: 'n' }] },
    getChild: (name: string) => ({ toArray: () => (name === 'id' ? Int32Array.of(1, 2) : BigInt64Array.of(5n, 6n)) }),
  };
  assert.deepEqual({ ...arrowColumns(like) }, { id: Int32Array.of(1, 2), n: Float64Array.of(5, 6) });
});

test('dictionary columns stay codes for the row loops (values made only when asked), across record batches, with the same funnel', () => {
  const table = tableFromIPC(new Uint8Array(fixture('events.arrow')));
  const columns = contractColumns(funnel({ arrow: table }) as never);
  const coded = columns.codes('event');
  assert.ok(coded, 'the event column (a dictionary without nulls) has codes');
  assert.deepEqual(Array.from(coded.codes, (c) => coded.dictionary[c]), rows.map((r) => r.event));
  const read = columns.reader('event');
  assert.deepEqual(rows.map((_, i) => read(i)), rows.map((r) => r.event), 'a reader decodes cell by cell');
  assert.deepEqual(Array.from(columns.get('event')), rows.map((r) => r.event), 'the values, made on demand');
  assert.equal(columns.codes('region'), null, 'a dictionary column with nulls is read as values only');
  assert.equal(columns.codes('entity'), null);
  // Many record batches share one dictionary; entity ids far from 0 still number densely.
  const batched = tableFromArrays(
    { entity: Int32Array.from(rows, (r) => r.entity + 1_000_000), event: rows.map((r) => r.event), time: Float64Array.from(rows, (r) => r.time), region: rows.map((r) => r.region) },
    { types: { entity: int32(), event: dictionary(utf8()), region: dictionary(utf8()) }, maxBatchRows: 97 },
  );
  const batchedColumns = contractColumns(funnel({ arrow: batched }) as never);
  assert.ok(batchedColumns.codes('event'));
  assert.deepEqual(Array.from(batchedColumns.get('event')), rows.map((r) => r.event));
  assert.deepEqual(Array.from(arrowColumns(batched).event), rows.map((r) => r.event), 'arrowColumns makes the values');
  const view = computeFunnel({ ...funnel({ arrow: batched }) });
  assert.deepEqual(counts(view), [500, 222, 41]);
});

test('string entity ids from an Arrow dictionary count as the same funnel, and an empty id is no entity', () => {
  const withEmpty = rows.map((r, i) => ({ ...r, id: i % 50 === 0 ? '' : `user-${r.entity}` }));
  const table = tableFromArrays(
    { id: withEmpty.map((r) => r.id), event: withEmpty.map((r) => r.event), time: Float64Array.from(withEmpty, (r) => r.time), region: withEmpty.map((r) => r.region) },
    { types: { id: dictionary(utf8()), event: dictionary(utf8()) }, maxBatchRows: 128 },
  );
  const contract = { ...funnel({ arrow: table }), fields: { entity: 'id', event: 'event', time: 'time' } } as FunnelContract;
  const fromArrow = computeFunnel(contract as never);
  const fromRows = computeFunnel({ ...contract, data: { rows: withEmpty } } as never);
  assert.deepEqual(counts(fromArrow), counts(fromRows));
  assert.deepEqual(groups(fromArrow), groups(fromRows));
  assert.ok(counts(fromArrow)[0] < 500, 'rows with an empty id are dropped');
  assert.deepEqual(fromArrow.steps[2].convertedIds, fromRows.steps[2].convertedIds, 'drill-down ids are the strings');
  assert.match(fromArrow.steps[2].convertedIds![0], /^user-/);
});

test('a broken Arrow or Parquet body is a contract error at /data/format', async () => {
  for (const format of ['arrow', 'parquet'] as const) {
    const garbage = new TextEncoder().encode('this is not a columnar file at all').buffer;
    const contract = funnel({ url: `https://example.test/events.${format}`, format });
    await assert.rejects(computeView('funnel', contract, { fetch: serve(garbage) }), (error: unknown) => {
      assert.ok(error instanceof ContractError, String(error));
      assert.equal(error.path, '/data/format');
      assert.match(error.message, new RegExp(`could not read the ${format} at /data/url`));
      return true;
    });
  }
  // A Parquet file that lost its tail (a cut-off download) too.
  const cut = fixture('events.parquet').slice(0, 4000);
  await assert.rejects(parseBody({ bytes: cut, format: 'parquet', url: 'x' }, {}), (e: unknown) => e instanceof ContractError && e.path === '/data/format');
});

test('a handed-over data.arrow that is not a table is a contract error at /data/arrow', () => {
  assert.throws(() => computeFunnel(funnel({ arrow: {} as never })), (e: unknown) => e instanceof ContractError && e.path === '/data/arrow');
  assert.throws(() => computeFunnel(funnel({ arrow: 'table' as never })), (e: unknown) => e instanceof ContractError && e.path === '/data/arrow');
});

test('fetchBody: null for inline data; bytes, format and a redacted URL for a URL; the same errors as before', async () => {
  assert.equal(await fetchBody(funnel({ rows: [] })), null);
  assert.equal(await fetchBody(funnel({ arrow: tableFromIPC(new Uint8Array(fixture('events.arrow'))) })), null);
  const body = (await fetchBody(funnel({ url: 'https://user:pw@example.test/events.arrow?token=secret', format: 'arrow' }), {
    fetch: serve(fixture('events.arrow')),
  })) as FetchedBody;
  assert.ok(body.bytes instanceof ArrayBuffer);
  assert.equal(body.bytes.byteLength, fixture('events.arrow').byteLength);
  assert.equal(body.format, 'arrow');
  assert.equal(body.url, 'https://example.test/events.arrow?…');
  const failing = (async () => new Response('nope', { status: 500 })) as unknown as typeof fetch;
  await assert.rejects(fetchBody(funnel({ url: 'https://example.test/x.parquet', format: 'parquet' }), { fetch: failing }), /\/data\/url: could not fetch https:\/\/example.test\/x.parquet: HTTP 500/);
  const aborting = (async () => {
    throw new DOMException('stopped', 'AbortError');
  }) as unknown as typeof fetch;
  await assert.rejects(fetchBody(funnel({ url: 'https://example.test/x.json', format: 'json' }), { fetch: aborting }), { name: 'AbortError' });
});

test('readBytes: every byte, whether Content-Length is right, short (a compressed body), long or missing, in chunks or not', async () => {
  const bytes = new Uint8Array(200_003).map((_, i) => (i * 7919) % 251);
  // A byte stream handing out 1,000-byte chunks, as a network body does.
  const chunked = () =>
    new ReadableStream({
      type: 'bytes',
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
  for (const announced of [bytes.length, 1, 4096, bytes.length + 5000, null]) {
    for (const body of [() => bytes.slice(), chunked]) {
      const headers: Record<string, string> = announced === null ? {} : { 'content-length': String(announced) };
      const read = new Uint8Array(await readBytes(new Response(body(), { headers })));
      assert.equal(read.length, bytes.length, `Content-Length ${announced}`);
      assert.ok(read.every((v, i) => v === bytes[i]), `Content-Length ${announced}: the bytes differ`);
    }
  }
  // A body that is not a byte stream (strings) is read the ordinary way.
  assert.equal(new TextDecoder().decode(await readBytes(new Response('héllo', { headers: { 'content-length': '6' } }))), 'héllo');
  assert.equal((await readBytes(new Response(null, { headers: { 'content-length': '0' } }))).byteLength, 0);
});

test('resolveData is fetchBody then parseBody: JSON rows stay rows', async () => {
  const bytes = fixture('events.json');
  const inline = await resolveData(funnel({ url: 'https://example.test/events.json', format: 'json' }), { fetch: serve(bytes) });
  assert.ok('rows' in inline.data);
  assert.equal(inline.data.rows.length, rows.length);
  const body = (await fetchBody(funnel({ url: 'https://example.test/events.json', format: 'json' }), { fetch: serve(bytes) }))!;
  assert.deepEqual(await parseBody(body, {}), inline.data);
});

test('the schema takes format "parquet" and an arrow object, and names a bad arrow value', async () => {
  const { contractIssues } = await import('../../src/analytics/validate-contract.js');
  assert.deepEqual(contractIssues(funnel({ url: 'x.parquet', format: 'parquet' })), []);
  assert.deepEqual(contractIssues(funnel({ arrow: {} as never })), []);
  assert.equal(contractIssues(funnel({ arrow: 'table' as never }))[0]?.path, '/data/arrow');
});

test('the inline path loads no data reader: Arquero, Flechette and hyparquet sit behind dynamic imports', async () => {
  const result = await build({
    entryPoints: ['src/analytics/compute.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir: '/tmp/funnelkit-data-input-bundle',
    tsconfig: 'tsconfig.json',
    logLevel: 'silent',
  });
  const { outputs } = result.metafile;
  const entry = Object.keys(outputs).find((path) => outputs[path].entryPoint === 'src/analytics/compute.ts');
  assert.ok(entry, 'the entry chunk is found');
  // Every chunk the entry loads before it runs: static imports, followed transitively.
  const staticGraph = new Set<string>([entry]);
  for (const path of staticGraph) {
    for (const imported of outputs[path].imports) if (imported.kind === 'import-statement' && !imported.external) staticGraph.add(imported.path);
  }
  const readers = /node_modules\/(arquero|@uwdata\/flechette|hyparquet)\//;
  const loadedUpFront = [...staticGraph].flatMap((path) => Object.keys(outputs[path].inputs)).filter((input) => readers.test(input));
  assert.deepEqual(loadedUpFront, []);
  // The check sees the readers where they are: in chunks reached by a dynamic import only.
  const everywhere = Object.values(outputs).flatMap((output) => Object.keys(output.inputs));
  for (const name of ['arquero', '@uwdata/flechette', 'hyparquet']) {
    assert.ok(everywhere.some((input) => input.includes(`node_modules/${name}/`)), `${name} is in a lazy chunk`);
  }
  const dynamic = Object.values(outputs).flatMap((output) => output.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
  assert.ok(dynamic.length >= 3, 'one dynamic import per reader');
});
