// The <anomaly-chart> spec and words, pure: view models from computeAnomalies, specs compiled by
// Vega-Lite and drawn by Vega in Node. Expected figures are worked out in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vl from 'vega-lite';
import * as vega from 'vega';
import { computeAnomalies, type AnomalyViewModel } from '../../src/analytics/index.js';
import type { AnomalyContract } from '../../src/analytics/contract.js';
import { buildAnomalySpec, valueDomain } from '../../src/specs/anomaly-spec.js';
import { anomalyData, anomalySets } from '../../src/specs/anomaly-data.js';
import { anomalyTimeFormat, currencyAffixes, formatPeriod, formatValue, stateLabel } from '../../src/specs/anomaly-format.js';
import { alertLine, anomalyTable, ruleStatesNow, stateChanges, summarySentence } from '../../src/specs/anomaly-text.js';
import { buildVegaConfig, LIGHT_TOKENS } from '../../src/specs/theme.js';
import { vegaLocale } from '../../src/specs/format.js';

type Rule = NonNullable<AnomalyContract['anomaly']['rules']>[number];
type Display = AnomalyContract['anomaly']['display'];
const day = (i: number) => `2026-03-${String(i + 1).padStart(2, '0')}`;
const vmOf = (values: Array<number | null>, rules: Rule[], extra: Partial<AnomalyContract['anomaly']> = {}, top: Partial<AnomalyContract> = {}): AnomalyViewModel =>
  computeAnomalies({
    version: 1,
    kind: 'anomaly',
    title: 'Lead conversion',
    ...top,
    anomaly: { grain: 'day', points: values.map((value, i) => ({ t: day(i), value })), format: { style: 'percent' }, rules, ...extra },
  } as AnomalyContract);
const ctx = { width: 600, height: 320, locale: 'en', tokens: LIGHT_TOKENS };

type Layer = { name?: string; data?: { name?: string }; mark: { type: string; strokeDash?: number[] }; layer?: Layer[]; encoding?: Record<string, { axis?: Record<string, unknown> }> };
type Spec = { layer: Layer[]; datasets: Record<string, Array<Record<string, unknown>>>; config: { locale: { number: { currency: string[] } } }; width: number; height: number };
const spec = (vm: AnomalyViewModel, options = {}, c = ctx) => buildAnomalySpec(vm, c, options) as unknown as Spec;
/** Every unit layer of the spec, however nested. */
const units = (s: { layer?: Layer[] }): Layer[] => (s.layer ?? []).flatMap((l) => (l.layer ? units(l) : [l]));
const named = (s: Spec, prefix: string) => units(s).filter((l) => l.name?.startsWith(prefix));

/** The SVG text of the drawn spec, as the element draws it (the theme and locale in the embed config). */
async function drawnTexts(s: unknown, locale = 'en'): Promise<string[]> {
  const compiled = vl.compile(s as vl.TopLevelSpec, { config: { ...buildVegaConfig(LIGHT_TOKENS), locale: vegaLocale(locale) } as vl.Config }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

const dod: Rule = { id: 'dod', name: 'Day-over-day drop', type: 'change', direction: 'drop', threshold: 10, severity: 'critical' };
const conversion = [0.131, 0.135, 0.118, 0.128, 0.125, 0.1075, 0.127];
const steps: Rule = { id: 'levels', name: 'Levels', type: 'threshold', steps: [{ value: null, color: 'green' }, { value: 0.12, color: '#EAB839', severity: 'warning' }, { value: 0.134, color: 'red', severity: 'critical' }] };

test('thresholds display: off, lines solid or dashed, shaded steps, or both', () => {
  const layersFor = (thresholds: NonNullable<Display>['thresholds']) => {
    const s = spec(vmOf(conversion, [steps], { display: { thresholds } }));
    return { lines: named(s, 'thresholds_'), areas: named(s, 'steps_'), sets: Object.keys(s.datasets).sort(), s };
  };
  const off = layersFor('off');
  assert.deepEqual([off.lines.length, off.areas.length], [0, 0]);
  assert.deepEqual(off.sets, ['domains', 'intervals', 'series']);
  const dashed = layersFor('dashed');
  assert.deepEqual(dashed.lines.map((l) => l.mark.strokeDash), [[6, 4]]);
  assert.equal(dashed.areas.length, 0);
  // One line per step edge above the base, in the step's colour.
  assert.deepEqual(dashed.s.datasets.lines.map((l) => [l.y, l.color]), [[0.12, '#EAB839'], [0.134, 'red']]);
  const solid = layersFor('line');
  assert.deepEqual(solid.lines.map((l) => l.mark.strokeDash), [undefined]);
  const area = layersFor('area');
  assert.deepEqual([area.lines.length, area.areas.length], [0, 1]);
  // The base step from the axis' foot, the top step to its top: the panel's value range.
  const [domain] = area.s.datasets.domains as Array<{ y0: number; y1: number }>;
  assert.deepEqual(area.s.datasets.areas.map((a) => [a.y0, a.y1, a.color]), [[domain.y0, 0.12, 'green'], [0.12, 0.134, '#EAB839'], [0.134, domain.y1, 'red']]);
  for (const mode of ['line+area', 'dashed+area'] as const) {
    const both = layersFor(mode);
    assert.deepEqual([both.lines.length, both.areas.length], [1, 1], mode);
    assert.deepEqual(both.lines[0].mark.strokeDash, mode === 'dashed+area' ? [6, 4] : undefined);
  }
});

test('a bound rule is drawn at its values in its severity colour; areas shade the side that breaches', () => {
  const outside: Rule = { id: 'b', name: 'Range', type: 'threshold', bound: { op: 'outside', low: 0.12, high: 0.134 }, severity: 'critical' };
  const s = spec(vmOf(conversion, [outside], { display: { thresholds: 'line+area' } }));
  assert.deepEqual(s.datasets.lines.map((l) => [l.y, l.color]), [[0.12, LIGHT_TOKENS.alert], [0.134, LIGHT_TOKENS.alert]]);
  const [domain] = s.datasets.domains as Array<{ y0: number; y1: number }>;
  assert.deepEqual(s.datasets.areas.map((a) => [a.y0, a.y1]), [[domain.y0, 0.12], [0.134, domain.y1]]);
});

test('null values stay null in the datasets: no zero, the line breaks, no bar', async () => {
  const vm = vmOf([0.131, null, 0.128], [dod], { display: { style: 'bars' } });
  const s = spec(vm);
  assert.deepEqual(s.datasets.series.map((p) => p.value), [0.131, null, 0.128]);
  const bars = named(s, 'bars_')[0] as unknown as { transform: Array<{ filter: string }> };
  assert.ok(bars.transform.some((t) => t.filter === 'datum.value !== null'));
  // Bars share the period: 10% to 90% of 1 March.
  const first = s.datasets.series[0] as { x0: number; x1: number };
  assert.deepEqual([first.x0, first.x1], [Date.UTC(2026, 2, 1) + 0.1 * 86_400_000, Date.UTC(2026, 2, 1) + 0.9 * 86_400_000]);
  const line = spec(vmOf([0.131, null, 0.128], [dod]));
  // A point with no neighbour gets a dot (the line cannot show it).
  assert.deepEqual(line.datasets.series.map((p) => p.isolated), [true, false, true]);
});

test('the value axis in the unit: percent as percent, money with the currency symbol', async () => {
  const percent = spec(vmOf(conversion, [dod]));
  const axis = named(percent, 'line_')[0].encoding!.y.axis!;
  assert.equal(axis.format, '.2~%');
  const labels = await drawnTexts(percent);
  const values = labels.filter((l) => l.endsWith('%'));
  // 10.75% to 13.5%, on a range rounded out to 10.5%–14%: whole percents, as percents.
  assert.deepEqual(values, ['11%', '12%', '13%', '14%']);
  assert.ok(!labels.some((l) => /^0\.\d/.test(l)));
  // Days carry their month.
  assert.ok(labels.includes('Mar 2'), labels.join('|'));
  const money = spec(vmOf([1200, 1350, 900], [], { format: { style: 'currency', currency: 'CNY' } }, { locale: 'zh-CN' }), {}, { ...ctx, locale: 'zh-CN' });
  assert.deepEqual(money.config.locale.number.currency, ['¥', '']);
  const moneyLabels = await drawnTexts(money, 'zh-CN');
  assert.deepEqual(moneyLabels.filter((l) => l.startsWith('¥')).slice(0, 3), ['¥800', '¥900', '¥1,000']);
  assert.ok(moneyLabels.includes('3月2日'), moneyLabels.join('|'));
  assert.deepEqual(currencyAffixes('de', 'EUR'), ['', '\u00a0€']);
  assert.deepEqual(currencyAffixes('en', 'USD'), ['$', '']);
});

test('time axis formats by locale: the month always with the day', () => {
  assert.equal(anomalyTimeFormat('en').date, '%b %-d');
  assert.equal(anomalyTimeFormat('en').month, '%B');
  assert.equal(anomalyTimeFormat('en-GB').date, '%-d %b');
  assert.equal(anomalyTimeFormat('zh-CN').date, '%-m月%-d日');
  assert.equal(formatPeriod('2026-03-06', 'en'), 'Mar 6');
  assert.equal(formatPeriod('2026-03-06', 'en', true), 'Mar 6, 2026');
  assert.equal(formatPeriod('2026-03', 'en'), 'Mar 2026');
  assert.equal(formatPeriod('2026-03-06T09:00', 'en'), 'Mar 6, 09:00');
  assert.equal(formatPeriod('2026-03-06', 'zh-CN'), '3月6日');
});

test('value domains: line charts float, bars and areas start at zero, far thresholds are left out', () => {
  const far: Rule = { id: 'far', type: 'threshold', bound: { op: '>', value: 5 }, severity: 'warning' };
  const near: Rule = { id: 'near', type: 'threshold', bound: { op: '<', value: 0.1 }, severity: 'warning' };
  const domainOf = (rules: Rule[], style: 'line' | 'bars' = 'line') => {
    const vm = vmOf(conversion, rules, { display: { style } });
    return valueDomain(anomalyData(vm, ctx, 'overlay'), new Set(['g0']), style);
  };
  // 10.75%–13.5% padded by 5% of the span (10.61%–13.64%), rounded out to the half percent
  // (the nice step for a span of 3%).
  assert.deepEqual(domainOf([dod]).map((v) => +v.toFixed(4)), [0.105, 0.14]);
  // 5 (a value of 500%) is far past the data and left out; 0.1 is near and drawn: 10%–13.5%
  // padded to 9.83%–13.68%, rounded out to whole percents.
  assert.deepEqual(domainOf([far]).map((v) => +v.toFixed(4)), [0.105, 0.14]);
  assert.deepEqual(domainOf([near]).map((v) => +v.toFixed(4)), [0.09, 0.14]);
  // From zero: 0–13.5% padded to 14.18%, rounded out to 2% steps.
  assert.deepEqual(domainOf([dod], 'bars').map((v) => +v.toFixed(4)), [0, 0.16]);
});

test('the spec keeps its shape when only the data or the size changes (the view then updates in place)', () => {
  const shape = (s: Spec) => JSON.stringify({ ...s, datasets: undefined, width: undefined, height: undefined });
  const a = spec(vmOf(conversion, [dod, steps]));
  const b = spec(vmOf(conversion.map((v) => v * 2), [dod, steps]), {}, { ...ctx, width: 400, height: 500 });
  assert.equal(shape(a), shape(b));
  assert.deepEqual([b.width, b.height], [400, 500]);
  // Datasets the rules call for are there even when empty: no alerts, yet an `intervals` dataset.
  const quiet = spec(vmOf([0.13, 0.13, 0.13], [dod]));
  assert.deepEqual(quiet.datasets.intervals, []);
  assert.deepEqual(anomalySets(vmOf([0.13], [])), { bands: false, lines: false, areas: false, intervals: false });
});

test('alert intervals: from the first firing period; an open one runs to the right edge', () => {
  const vm = vmOf([0.13, 0.13, 0.11, 0.13, 0.11], [{ id: 'f', name: 'Floor', type: 'threshold', bound: { op: '<', value: 0.12 }, severity: 'critical' }], { display: { style: 'bars' } });
  const s = spec(vm);
  const at = (i: number) => Date.UTC(2026, 2, 1 + i);
  // Newest first: 5 March, open, to the end of the last bar's period; 3 March, closed, its own day.
  assert.deepEqual(s.datasets.intervals.map((i) => [i.x0, i.x1, i.label]), [[at(4), at(5), 'Floor'], [at(2), at(3), 'Floor']]);
  assert.deepEqual(alertLine(vm, vm.alerts[0], 'en'), { name: 'Floor', series: null, severity: 'Critical', range: 'Mar 5 → ongoing', peak: 'peak 11%' });
  assert.deepEqual(alertLine(vm, vm.alerts[1], 'zh-CN').range, '3月3日');
});

test('small multiples: one panel per series, each with its own value range; the overlay is one', () => {
  const points = ['a', 'b'].flatMap((series, k) => conversion.map((value, i) => ({ t: day(i), value: value * (k + 1) * 10, series })));
  const vm = computeAnomalies({ version: 1, kind: 'anomaly', anomaly: { grain: 'day', points, rules: [dod], display: { layout: 'multiples' } } } as AnomalyContract);
  const multiples = spec(vm);
  assert.equal(named(multiples, 'hits_').length, 2);
  assert.deepEqual(multiples.datasets.domains.map((d) => d.name), ['a', 'b']);
  const [a, b] = multiples.datasets.domains as Array<{ y0: number; y1: number }>;
  assert.ok(b.y1 > a.y1 * 1.5);
  assert.equal(named(spec(vm, { layout: 'overlay' }), 'hits_').length, 1);
  // Fewer than 3 points: no overview strip, no brush.
  const brushOf = (s: Spec) => units(s).some((l) => (l as { params?: unknown[] }).params?.length);
  assert.equal(brushOf(multiples), true);
  assert.equal(brushOf(spec(vmOf([0.1, 0.2], [dod]))), false);
});

test('words: the summary sentence, states, the table, in en and zh-CN', () => {
  const vm = vmOf(conversion, [dod]);
  // 3 March 0.135 → 0.118 (−12.6%) and 6 March 0.125 → 0.1075 (−14%) fire; 7 March is normal again.
  assert.equal(summarySentence(vm, 'Lead conversion', 'en'), '2 alerts in range; Day-over-day drop: Lead conversion dropped 14% on Mar 6, now normal');
  assert.equal(summarySentence(vm, 'Lead conversion', 'zh-CN'), '范围内有 2 条告警；Day-over-day drop：Lead conversion于3月6日下降 14%，当前正常');
  const floor: Rule = { id: 'f', name: 'Floor', type: 'threshold', bound: { op: '<', value: 0.12 }, severity: 'warning' };
  const firing = vmOf([0.13, 0.11], [floor]);
  assert.equal(summarySentence(firing, undefined, 'en'), '1 alert in range; Floor: Value was 11% on Mar 2, now alerting');
  assert.equal(summarySentence(vmOf([0.13, 0.13], [floor]), 'X', 'en'), 'No alerts in this range; now normal');
  assert.equal(stateLabel('alerting', 'critical', 'en'), 'Alerting · Critical');
  assert.equal(stateLabel('alerting', 'critical', 'zh-CN'), '告警中 · 严重');
  assert.equal(stateLabel('nodata', null, 'zh-CN'), '无数据');
  const table = anomalyTable(vm, 'en');
  assert.deepEqual(table.columns, ['Period', 'Value', 'Day-over-day drop']);
  assert.deepEqual(table.rows[5], ['Mar 6', '10.8%', 'Alerting · Critical · -14%']);
  assert.equal(formatValue(1234.5, { style: 'currency', currency: 'CNY' }, 'zh-CN'), '¥1,235');
  assert.equal(formatValue(12345, { style: 'compact' }, 'zh-CN'), '1.2万');
});

test('state changes between renders: the first counts every rule not normal, later ones what differs', () => {
  const floor: Rule = { id: 'f', name: 'Floor', type: 'threshold', bound: { op: '<', value: 0.12 }, severity: 'critical' };
  const normal = vmOf([0.13, 0.13], [floor]);
  const alerting = vmOf([0.13, 0.11], [floor]);
  assert.deepEqual(stateChanges(normal, null), []);
  assert.deepEqual(stateChanges(alerting, null), [{ rule: 'f', name: 'Floor', series: '', state: 'alerting', previous: null }]);
  assert.deepEqual(stateChanges(alerting, ruleStatesNow(normal)), [{ rule: 'f', name: 'Floor', series: '', state: 'alerting', previous: 'normal' }]);
  assert.deepEqual(stateChanges(vmOf([0.2, 0.1], [floor]), ruleStatesNow(alerting)), []);
});
