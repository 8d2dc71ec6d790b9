/**
 * `<anomaly-chart>` spec: the metric as a line, threshold rules as dashed rules, and alerting
 * periods as points coloured by severity (Grafana's convention: amber warning, red critical).
 * @module
 */
import type { VisualizationSpec } from 'vega-embed';
import type { AnomalyViewModel } from '../analytics/anomaly/view-model.js';
import { formatChange, formatNumber, timeAxisFormat, wallTime } from './format.js';
import { message } from './messages.js';
import type { SpecContext } from './spec-context.js';

export function buildAnomalySpec(vm: AnomalyViewModel, ctx: SpecContext): VisualizationSpec {
  const { locale, tokens } = ctx;
  const series = vm.points.map((p) => ({
    period: p.period,
    start: wallTime(p.period),
    value: p.value,
    change: p.change === null ? '' : formatChange(p.change, locale),
    state: p.state,
    alert: p.alerts.map((a) => alertText(a.kind, a.limit, locale, a.label)).join('; '),
  }));
  const thresholds = vm.thresholds.map((t) => ({ value: t.value, severity: t.severity, label: t.label ?? '' }));
  const severityColor = { field: 'severity', type: 'nominal', legend: null, scale: { domain: ['warning', 'critical'], range: [tokens.warning, tokens.alert] } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: ctx.width,
    height: ctx.height,
    autosize: { type: 'fit', contains: 'padding' },
    // Vega-Lite drops a dataset no layer reads; naming one anyway breaks the element's data update.
    datasets: { series, ...(thresholds.length ? { thresholds } : {}) },
    layer: [
      {
        data: { name: 'series' },
        mark: { type: 'line', interpolate: 'monotone' },
        encoding: {
          x: { field: 'start', type: 'temporal', title: null, axis: { grid: false, format: timeAxisFormat(locale) }, scale: { type: 'utc' } },
          y: { field: 'value', type: 'quantitative', title: null, axis: { format: valueAxisFormat(vm), tickCount: 5 } },
        },
      },
      thresholds.length && {
        data: { name: 'thresholds' },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'value', type: 'quantitative' }, color: severityColor },
      },
      vm.alerts.length && {
        data: { name: 'series' },
        transform: [{ filter: "datum.state !== 'ok'" }, { calculate: 'datum.state', as: 'severity' }],
        mark: { type: 'point', filled: true, size: 90, stroke: tokens.text, strokeWidth: 0.5 },
        encoding: { x: { field: 'start', type: 'temporal', scale: { type: 'utc' } }, y: { field: 'value', type: 'quantitative' }, color: severityColor },
      },
      {
        data: { name: 'series' },
        mark: { type: 'point', size: 200, opacity: 0 },
        encoding: {
          x: { field: 'start', type: 'temporal', scale: { type: 'utc' } },
          y: { field: 'value', type: 'quantitative' },
          tooltip: [
            { field: 'period', title: message('period', locale) },
            { field: 'value', type: 'quantitative', title: message('value', locale), format: ',.4~r' },
            { field: 'change', title: message('change', locale) },
            { field: 'alert', title: message('alert', locale) },
          ],
        },
      },
    ].filter(Boolean),
  } as VisualizationSpec;
}

/**
 * Value axis labels: SI prefixes for large figures (`12k`), plain digits below 1,000 — `~s`
 * would print a 0.13 conversion rate as `130m`.
 */
export function valueAxisFormat(vm: AnomalyViewModel): string {
  const largest = Math.max(0, ...vm.points.map((p) => Math.abs(p.value ?? 0)), ...vm.thresholds.map((t) => Math.abs(t.value)));
  return largest >= 1000 ? '~s' : ',.3~g';
}

/** "Dropped more than 10%" / "下降超过 10%": the rule that fired, in words. */
export function alertText(kind: 'above' | 'below' | 'drop' | 'rise', limit: number, locale: string, label?: string): string {
  const bound = kind === 'drop' || kind === 'rise' ? formatChange(limit, locale).replace(/^\+/, '') : formatNumber(limit, locale);
  const text = `${message(kind === 'above' ? 'alertAbove' : kind === 'below' ? 'alertBelow' : kind === 'drop' ? 'alertDrop' : 'alertRise', locale)} ${bound}`;
  return label ? `${label}: ${text}` : text;
}
