// Far-future and microsecond timestamps: a contract error naming the cell or the setting, never
// a loop over millions of periods (issue 8, item 2: 7 s frozen, or out of memory, before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFunnel, computeKpi, ContractError } from '../../src/analytics/index.js';
import type { FunnelContract, FunnelSection, InlineContract, KpiContract } from '../../src/analytics/contract.js';

const at = (path: string, detail: RegExp) => (e: unknown) => e instanceof ContractError && e.path === path && detail.test(e.detail);

const funnel = (rows: Array<Record<string, string | number>>, section: Partial<FunnelSection> = {}) =>
  computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows },
    fields: { entity: 'id', time: 'ts', event: 'e' },
    funnel: { steps: [{ event: 'lead' }, { event: 'won' }], ...section },
  } as InlineContract<FunnelContract>);

test('a microsecond timestamp is named by its cell', () => {
  const rows = [{ id: 'a', e: 'lead', ts: Date.UTC(2026, 0, 5) }, { id: 'b', e: 'lead', ts: 8.64e15 }];
  assert.throws(() => funnel(rows), at('/data/rows/1/ts', /within 10,000 years/));
});

test('events eight thousand years apart: trends stop at 10,000 periods with a contract error', () => {
  const rows = [{ id: 'a', e: 'lead', ts: '2026-01-05' }, { id: 'b', e: 'lead', ts: '9999-12-31' }];
  const started = Date.now();
  // Chosen interval (months: 95,000 of them): the events span too long, so the range is the fix.
  assert.throws(() => funnel(rows), at('/funnel/range', /more than 10,000 months/));
  assert.throws(() => funnel(rows, { trends: { interval: 'day' } }), at('/funnel/trends/interval', /more than 10,000 days/));
  assert.ok(Date.now() - started < 2000, 'refused quickly, without enumerating the periods');
  // A range around the real events leaves the far one out, and the funnel computes.
  assert.deepEqual(funnel(rows, { range: { from: '2026-01-01', to: '2026-12-31' } }).steps.map((s) => s.count), [1, 0]);
});

test('an implausible range bound or asOf names its setting', () => {
  const kpi = {
    version: 1,
    kind: 'kpi',
    data: { rows: [{ t: '2026-03-01', v: 1 }] },
    fields: { time: 't', value: 'v' },
    kpi: { range: { from: '2026-03-01', to: 1e308 } },
  } as InlineContract<KpiContract>;
  assert.throws(() => computeKpi(kpi), at('/kpi/range/to', /within 10,000 years/));
  assert.throws(() => funnel([{ id: 'a', e: 'lead', ts: '2026-01-05' }], { asOf: 8.7e15 }), at('/funnel/asOf', /within 10,000 years/));
});
