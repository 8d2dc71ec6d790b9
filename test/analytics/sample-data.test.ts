import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  B2B_STAGES,
  createRng,
  generateAppFunnel,
  generateB2BFunnel,
  generateDailyKpis,
  generateEvents,
  generateLeadSources,
  toColumns,
} from '../../demo/data/sample-data.js';

type EventRow = { entity: string; event: string; ts: string | number };

/** Entities that reached `event`, among `rows` (optionally narrowed by `keep`). */
function reached<R extends EventRow>(rows: R[], event: string, keep: (row: R) => boolean = () => true): number {
  return new Set(rows.filter((r) => r.event === event && keep(r)).map((r) => r.entity)).size;
}

const ISO_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z$/;

test('createRng: same seed, same stream; floats in [0, 1)', () => {
  const draw = (seed: number) => Array.from({ length: 1000 }, createRng(seed));
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.ok(draw(7).every((x) => x >= 0 && x < 1));
});

test('every generator is byte-identical for a seed and differs across seeds', () => {
  const outputs = [
    (seed: number) => generateB2BFunnel({ seed, entities: 500 }),
    (seed: number) => generateAppFunnel({ seed, entities: 500 }),
    (seed: number) => generateLeadSources({ seed, entities: 2000 }),
    (seed: number) => generateDailyKpis({ seed }),
  ];
  for (const generate of outputs) {
    assert.equal(JSON.stringify(generate(3)), JSON.stringify(generate(3)));
    assert.notEqual(JSON.stringify(generate(3)), JSON.stringify(generate(4)));
  }
});

test('event rows carry entity, event and a whole-minute ts, sorted by ts', () => {
  for (const kind of ['b2b', 'app', 'leads'] as const) {
    const iso = generateEvents({ kind, events: 20_000, seed: 5 }) as EventRow[];
    assert.ok(iso.every((r) => typeof r.entity === 'string' && typeof r.event === 'string' && ISO_MINUTE.test(String(r.ts))), kind);
    assert.ok(iso.every((r, i) => i === 0 || String(iso[i - 1].ts) <= String(r.ts)), `${kind} iso sorted`);

    const ms = generateEvents({ kind, events: 20_000, seed: 5, timeFormat: 'ms' }) as EventRow[];
    assert.ok(ms.every((r, i) => i === 0 || Number(ms[i - 1].ts) <= Number(r.ts)), `${kind} ms sorted`);
    assert.deepEqual(ms.map((r) => new Date(r.ts).toISOString()), iso.map((r) => r.ts), `${kind} formats agree`);
  }
});

test('B2B funnel: ~60% pass requirement confirmation, ~12% signed, ~48 h to confirm a solution', () => {
  const rows = generateB2BFunnel({ seed: 1, entities: 4000, timeFormat: 'ms' });
  const identified = reached(rows, 'opportunity_identified');
  assert.equal(identified, 4000);
  const counts = B2B_STAGES.map((s) => reached(rows, s.event));
  assert.ok(counts.every((n, i) => i === 0 || n <= counts[i - 1]), `stage counts only fall: ${counts}`);

  const confirmed = reached(rows, 'requirement_confirmed') / identified;
  const signed = reached(rows, 'signed') / identified;
  assert.ok(confirmed >= 0.55 && confirmed <= 0.65, `requirement_confirmed ${confirmed}`);
  assert.ok(signed >= 0.09 && signed <= 0.15, `signed ${signed}`);

  const at = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (!at.has(r.entity)) at.set(r.entity, new Map());
    at.get(r.entity)!.set(r.event, Number(r.ts));
  }
  const hours = (from: string, to: string) =>
    [...at.values()].filter((e) => e.has(to)).map((e) => (e.get(to)! - e.get(from)!) / 3_600_000);
  const design = hours('solution_design', 'poc');
  const meanDesign = design.reduce((a, b) => a + b, 0) / design.length;
  assert.ok(meanDesign > 36 && meanDesign < 60, `mean hours in solution_design ${meanDesign}`);
  // Stuck deals: some sit in POC for more than a month before negotiation.
  assert.ok(hours('poc', 'negotiation').some((h) => h > 30 * 24));
  assert.ok(rows.filter((r) => r.event === 'signed').every((r) => r.amount >= 1000));
});

test('app funnel: ~35% register, ~30% order, ~40% repurchase; iOS pays ~15% less than Android', () => {
  const rows = generateAppFunnel({ seed: 1, entities: 40_000, timeFormat: 'ms' });
  const users = reached(rows, 'visit');
  assert.ok(rows.filter((r) => r.event === 'visit').length > users * 1.3, 'repeat visits');
  const registerRate = reached(rows, 'register') / users;
  const orderRate = reached(rows, 'order') / reached(rows, 'register');
  const repurchaseRate = reached(rows, 'repurchase') / reached(rows, 'order');
  assert.ok(registerRate > 0.32 && registerRate < 0.38, `visit→register ${registerRate}`);
  assert.ok(orderRate > 0.27 && orderRate < 0.33, `register→order ${orderRate}`);
  assert.ok(repurchaseRate > 0.36 && repurchaseRate < 0.44, `order→repurchase ${repurchaseRate}`);

  const payment = (device: string) =>
    reached(rows, 'order', (r) => r.device === device) / reached(rows, 'register', (r) => r.device === device);
  const ratio = payment('iOS') / payment('Android');
  assert.ok(ratio > 0.75 && ratio < 0.95, `iOS/Android order conversion ${ratio}`);
});

test('lead sources: ~13% become opportunities; website and referral beat bought lists and email', () => {
  const rows = generateLeadSources({ seed: 1, entities: 60_000, timeFormat: 'ms' });
  const overall = reached(rows, 'opportunity') / reached(rows, 'lead');
  assert.ok(overall > 0.11 && overall < 0.15, `lead→opportunity ${overall}`);

  const rate = (source: string, from: string, to: string) =>
    reached(rows, to, (r) => r.source === source) / reached(rows, from, (r) => r.source === source);
  const best = Math.min(rate('website', 'lead', 'opportunity'), rate('referral', 'lead', 'opportunity'));
  const worst = Math.max(rate('bought lead list', 'lead', 'opportunity'), rate('email campaign', 'lead', 'opportunity'));
  assert.ok(best > 2 * worst, `best ${best} vs worst ${worst}`);
  // Whitepaper leads rarely convert, but their buyers come back far more often than the rest.
  assert.ok(rate('whitepaper download', 'lead', 'opportunity') < 0.09);
  assert.ok(rate('whitepaper download', 'order', 'repurchase') > 1.5 * rate('website', 'order', 'repurchase'));
});

test('daily KPIs: conversion falls >10% on the drop day only, and recovers', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const days = generateDailyKpis({ seed, days: 90 });
    assert.equal(days.length, 90);
    assert.equal(days[0].date, '2026-01-05');
    assert.equal(days[89].date, '2026-04-04');
    const change = days.map((d, i) => (i === 0 ? 0 : d.conversionRate / days[i - 1].conversionRate - 1));
    const dropDay = 60;
    assert.ok(change[dropDay] < -0.1, `seed ${seed}: drop ${change[dropDay]}`);
    assert.ok(change[dropDay + 1] > 0.1, `seed ${seed}: recovery ${change[dropDay + 1]}`);
    assert.deepEqual(change.flatMap((c, i) => (c < -0.1 ? [i] : [])), [dropDay], `seed ${seed}`);
  }
  const moved = generateDailyKpis({ days: 30, dropDay: 10 });
  assert.ok(moved[10].conversionRate < 0.9 * moved[9].conversionRate);
});

test('generateEvents lands within ±15% of the requested size', () => {
  for (const kind of ['b2b', 'app', 'leads'] as const) {
    for (const events of [1_000, 100_000]) {
      const n = generateEvents({ kind, events, seed: 9 }).length;
      assert.ok(Math.abs(n / events - 1) <= 0.15, `${kind} ${events}: got ${n}`);
    }
  }
  assert.throws(() => generateEvents({ kind: 'nope' as 'b2b' }), RangeError);
});

test('toColumns gives equal-length columns that match the rows', () => {
  const rows = generateB2BFunnel({ seed: 2, entities: 300 });
  const columns = toColumns(rows);
  assert.deepEqual(Object.keys(columns), Object.keys(rows[0]));
  for (const column of Object.values(columns)) assert.equal(column.length, rows.length);
  assert.equal(columns.entity[17], rows[17].entity);
  assert.equal(columns.ts[rows.length - 1], rows[rows.length - 1].ts);
  assert.deepEqual(toColumns([]), {});
});
