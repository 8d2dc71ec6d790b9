// The kpi widget's analytics: figures worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeKpi } from '../../src/analytics/index.js';
import type { InlineContract, KpiContract } from '../../src/analytics/contract.js';

test('kpi attainment is value / target × 100 whichever way is better; lower-is-better flips only the tone', () => {
  const kpi = (better: 'up' | 'down') =>
    computeKpi({
      version: 1,
      kind: 'kpi',
      data: { rows: [{ date: '2026-03-01', days: 40 }, { date: '2026-03-02', days: 40 }] },
      fields: { time: 'date', value: 'days' },
      kpi: { metric: 'mean', target: 45, better, range: { from: '2026-03-01', to: '2026-03-02' } },
    } as InlineContract<KpiContract>);
  // A 40-day sales cycle against a 45-day target: 40 / 45 of it, read the same either way.
  assert.equal(kpi('up').kpis[0].attainment, (40 / 45) * 100);
  assert.equal(kpi('down').kpis[0].attainment, (40 / 45) * 100);
  assert.equal(kpi('down').kpis[0].direction, 'lower-is-better');
});
