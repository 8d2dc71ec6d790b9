// The kpi and anomaly widgets' analytics and specs: figures worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeKpi } from '../../src/analytics/index.js';
import { computeAnomaly } from '../../src/analytics/index.js';
import { alertText, buildAnomalySpec } from '../../src/specs/anomaly-spec.js';
import { LIGHT_TOKENS } from '../../src/specs/theme.js';
import type { AnomalyContract, InlineContract, KpiContract } from '../../src/analytics/contract.js';

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

const anomaly = (values: number[], rules: AnomalyContract['anomaly']['rules']) =>
  computeAnomaly({
    version: 1,
    kind: 'anomaly',
    data: { rows: values.map((v, i) => ({ date: `2026-03-0${i + 1}`, rate: v })) },
    fields: { time: 'date', value: 'rate' },
    anomaly: { metric: 'mean', rules },
  } as InlineContract<AnomalyContract>);
const ctx = { width: 600, height: 300, locale: 'en', tokens: LIGHT_TOKENS };

test('anomaly value axis: plain digits for rates, SI prefixes from 1,000', () => {
  const rates = buildAnomalySpec(anomaly([0.132, 0.135, 0.11], [{ type: 'change', drop: 0.1 }]), ctx) as { layer: Array<{ encoding: { y: { axis?: { format: string } } } }> };
  assert.equal(rates.layer[0].encoding.y.axis!.format, ',.3~g');
  const leads = buildAnomalySpec(anomaly([1200, 1350, 900], [{ type: 'threshold', below: 1000 }]), ctx) as typeof rates;
  assert.equal(leads.layer[0].encoding.y.axis!.format, '~s');
});

test('anomaly spec leaves out layers with nothing to draw', () => {
  // No threshold rules and no alerts (the drop is 1.5%): only the line and its hover points.
  const spec = buildAnomalySpec(anomaly([0.132, 0.13], [{ type: 'change', drop: 0.1 }]), ctx) as { layer: unknown[]; datasets: object };
  assert.equal(spec.layer.length, 2);
  // …nor a dataset that no layer reads (Vega-Lite drops it, and a data update would then fail).
  assert.deepEqual(Object.keys(spec.datasets), ['series']);
  // A threshold that fires: rule and alert points come back.
  const firing = buildAnomalySpec(anomaly([1200, 900], [{ type: 'threshold', below: 1000 }]), ctx) as { layer: unknown[] };
  assert.equal(firing.layer.length, 4);
});

test('alert text formats its bound in the locale', () => {
  assert.equal(alertText('below', 1000, 'en'), 'below 1,000');
  assert.equal(alertText('drop', 0.1, 'zh-CN', '环比'), '环比: 下降超过 10%');
});
