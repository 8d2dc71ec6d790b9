/**
 * KPI contracts for the `<kpi-card>` and `<kpi-grid>` stories: KPIs computed from the B2B
 * opportunity events and from the daily lead-to-cash KPIs, and pre-aggregated KPIs (figures a
 * warehouse would hand over), each with a sparkline.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { StoryContext } from '@storybook/web-components-vite';
import '../../src/kpi-card.js';
import '../../src/kpi-grid.js';
import type { KpiContract, KpiSpec } from '../../src/analytics/contract.js';
import { b2bEvents, dailyKpis } from './sample.js';
import { widgetSettings, type WidgetArgs } from './widget-args.js';

/** Q2 2026, compared with the 91 days before it, a point a week. */
export const Q2 = { from: '2026-04-01', to: '2026-06-30' };

/** A `kpi` contract over `rows`, each KPI taking `defaults` for what it leaves out. */
function contractOver(rows: KpiContract['data'], fields: KpiContract['fields'], kpis: KpiSpec[], defaults: Partial<KpiSpec>, title?: string): KpiContract {
  return { version: 1, kind: 'kpi', ...(title ? { title } : {}), data: rows, fields, kpi: { kpis: kpis.map((k) => ({ ...defaults, ...k })) } };
}

/** KPIs over the B2B opportunity events (800 opportunities, seed 11; `amount` in CNY). */
export function b2bContract(kpis: KpiSpec[], title?: string): KpiContract {
  return contractOver({ rows: b2bEvents() }, { entity: 'entity', event: 'event', time: 'ts', value: 'amount' }, kpis, { period: Q2, interval: 'week' }, title);
}

/** KPIs over the 90 daily lead-to-cash rows (`date` column), the last 30 days against the 30 before. */
export function dailyContract(kpis: KpiSpec[], title?: string): KpiContract {
  return contractOver({ rows: dailyKpis() }, { time: 'date' }, kpis, { period: { last: 30, unit: 'day' } }, title);
}

/** Pre-aggregated KPIs: no rows, the figures and the series given. */
export function givenContract(kpis: KpiSpec[], title?: string): KpiContract {
  return contractOver({ rows: [] }, {}, kpis, {}, title);
}

/** Twelve weekly points from 2026-01-05 that wander from `from` to `to`. */
export function weekly(from: number, to: number): KpiSpec['series'] {
  return Array.from({ length: 12 }, (_, i) => ({
    t: new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10),
    value: Math.round((from + ((to - from) * i) / 11) * (1 + 0.04 * Math.sin(i * 1.7)) * 1000) / 1000,
  }));
}

const WORDS = {
  en: ['Leads', 'Lead conversion', 'Win rate', 'Average deal size', 'Sales cycle', 'Collected', 'Acquisition spend'],
  'zh-CN': ['线索量', '线索转化率', '商机赢率', '每单单产', '销售周期', '回款', '资源投入'],
} as const;

const labels = (locale: string) => (locale.startsWith('zh') ? WORDS['zh-CN'] : WORDS.en);

/**
 * The seven lead-to-cash KPIs as a warehouse would hand them over: the last 30 of the 90 sample
 * days against the 30 before, with the daily series, targets and thresholds.
 */
export function leadToCashGiven(locale = 'en'): KpiContract {
  const rows = dailyKpis() as unknown as Array<Record<string, number | string>>;
  const now = rows.slice(-30);
  const before = rows.slice(-60, -30);
  const sum = (set: typeof rows, key: string) => set.reduce((s, r) => s + Number(r[key]), 0);
  const mean = (set: typeof rows, key: string) => sum(set, key) / set.length;
  const series = (key: string) => now.map((r) => ({ t: String(r.date), value: Number(r[key]) }));
  const figures = (key: string, of: typeof sum) => ({ value: Math.round(of(now, key) * 1e4) / 1e4, previous: Math.round(of(before, key) * 1e4) / 1e4, series: series(key) });
  const [leads, conversion, win, deal, cycle, collected, cost] = labels(locale);
  const ofTarget = (warning: number, good: number) => ({ mode: 'percent-of-target' as const, steps: [{ value: null, status: 'critical' as const }, { value: warning, status: 'warning' as const }, { value: good, status: 'good' as const }] });
  return givenContract([
    { id: 'leads', label: leads, ...figures('leads', sum), target: 36_000, thresholds: ofTarget(90, 100), format: { style: 'compact' } },
    { id: 'conversion', label: conversion, ...figures('conversionRate', mean), target: 0.14, thresholds: ofTarget(90, 100), format: { style: 'percent' } },
    { id: 'win-rate', label: win, ...figures('winRate', mean), target: 0.25, thresholds: ofTarget(90, 100), format: { style: 'percent' } },
    { id: 'deal-size', label: deal, ...figures('avgDealSize', mean), format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } },
    {
      id: 'cycle',
      label: cycle,
      ...figures('cycleDays', mean),
      direction: 'lower-is-better',
      thresholds: { steps: [{ value: null, status: 'good' }, { value: 45, status: 'warning' }, { value: 60, status: 'critical' }] },
      format: { style: 'duration' },
    },
    { id: 'collected', label: collected, ...figures('collected', sum), format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } },
    { id: 'cost', label: cost, ...figures('cost', sum), direction: 'neutral', format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } },
  ]);
}

/** The same seven KPIs computed in the browser from the daily rows. */
export function leadToCashComputed(locale = 'en'): KpiContract {
  const [leads, conversion, win, deal, cycle, collected, cost] = labels(locale);
  const money = { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } as const;
  return dailyContract([
    { id: 'leads', label: leads, measure: { op: 'sum', field: 'leads' }, target: 36_000, format: { style: 'compact' } },
    { id: 'conversion', label: conversion, measure: { op: 'mean', field: 'conversionRate' }, format: { style: 'percent' } },
    { id: 'win-rate', label: win, measure: { op: 'mean', field: 'winRate' }, target: 0.25, format: { style: 'percent' } },
    { id: 'deal-size', label: deal, measure: { op: 'mean', field: 'avgDealSize' }, format: money },
    { id: 'cycle', label: cycle, measure: { op: 'mean', field: 'cycleDays' }, direction: 'lower-is-better', format: { style: 'duration' } },
    { id: 'collected', label: collected, measure: { op: 'sum', field: 'collected' }, format: money },
    { id: 'cost', label: cost, measure: { op: 'sum', field: 'cost' }, direction: 'neutral', format: money },
  ]);
}

type Render = (args: WidgetArgs, context: StoryContext<WidgetArgs>) => TemplateResult;

/** One card, 300px wide, as it would sit in a dashboard column; `kpi` picks one of several. */
export function card(contract: () => KpiContract, kpi?: string): Render {
  return (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 300px">
      <kpi-card theme=${s.theme} .locale=${s.locale} kpi=${kpi ?? nothing} .contract=${contract()}></kpi-card>
    </div>`;
  };
}

/** A row of cards, one per KPI of the contract (each its own `<kpi-card kpi=…>`). */
export function cards(contract: () => KpiContract): Render {
  return (args, { globals }) => {
    const s = widgetSettings(args, globals);
    const c = contract();
    return html`<div style="display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px">
      ${(c.kpi.kpis ?? []).map((k) => html`<kpi-card theme=${s.theme} .locale=${s.locale} kpi=${k.id} .contract=${c}></kpi-card>`)}
    </div>`;
  };
}

/** A `<kpi-grid>` at `width` (unset: the page's). */
export function grid(contract: (locale: string) => KpiContract, width?: string): Render {
  return (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style=${width ? `max-width: ${width}` : ''}>
      <kpi-grid theme=${s.theme} .locale=${s.locale} .contract=${contract(s.locale)}></kpi-grid>
    </div>`;
  };
}
