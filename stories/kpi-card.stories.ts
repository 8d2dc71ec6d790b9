import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { KpiContract, KpiMeasureSpec, KpiSpec } from '../src/analytics/contract.js';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import { b2bContract, card, cards, dailyContract, givenContract, weekly } from './support/kpi-samples.js';
import { dailyKpis } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

const meta = {
  title: 'Widgets/KPI card',
  component: 'kpi-card',
  argTypes: widgetArgTypes,
  parameters: {
    docs: {
      description: {
        component:
          'One KPI: the figure over its period, the change against the previous period (arrow by the sign, colour by whether that is good), what it is compared with, progress to a target, the threshold status and a sparkline the card draws itself (no Vega). The card is one button: a click, Enter or Space fires `kpi-click`. Computed KPIs read the B2B opportunity events (Q2 2026 against the 91 days before, a point a week) or the 90 daily lead-to-cash rows (the last 30 days); pre-aggregated ones are given.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

const signed = { event: 'signed' };
const money = { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } as const;

/** A story of one computed KPI over the B2B events. */
const measured = (label: string, measure: KpiMeasureSpec, extra: Partial<KpiSpec> = {}): Story => ({
  render: card(() => b2bContract([{ id: 'kpi', label, measure, ...extra }])),
});

/** `count`: rows of an event (商机数). */
export const Count = measured('Opportunities identified', { op: 'count', filter: { event: 'opportunity_identified' } }, { target: 400 });

/** `distinct`: entities with any event in the period (the entity field unless `field` names another). */
export const Distinct = measured('Opportunities in play', { op: 'distinct' });

/** `sum`: signed value in CNY, compact. */
export const Sum = measured('Signed value', { op: 'sum', field: 'amount', filter: signed }, { format: money });

/** `mean`: average signed deal (每单单产). */
export const Mean = measured('Average deal size', { op: 'mean', field: 'amount', filter: signed }, { format: money });

/** `median`: the middle signed deal. */
export const Median = measured('Median deal size', { op: 'median', field: 'amount', filter: signed }, { format: money });

/** `min`: the smallest signed deal. */
export const Min = measured('Smallest deal', { op: 'min', field: 'amount', filter: signed }, { format: money, direction: 'neutral' });

/** `max`: the largest signed deal. */
export const Max = measured('Largest deal', { op: 'max', field: 'amount', filter: signed }, { format: money, direction: 'neutral' });

/** `last`: the latest daily win rate, over the daily rows. */
export const Last: Story = {
  render: card(() => dailyContract([{ id: 'kpi', label: 'Win rate, latest day', measure: { op: 'last', field: 'winRate' }, format: { style: 'percent' } }])),
};

/** `ratio`: signed over identified in the same period, a rate; its change is in percentage points. */
export const Ratio = measured(
  'Signed per identified',
  { op: 'ratio', numerator: { op: 'count', filter: signed }, denominator: { op: 'count', filter: { event: 'opportunity_identified' } } },
  { target: 0.15, thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 80, status: 'warning' }, { value: 100, status: 'good' }] } },
);

/** `duration`: the sales cycle (销售周期), first identified to signed, median days; lower is better. */
export const Duration = measured(
  'Sales cycle',
  { op: 'duration', from: { event: 'opportunity_identified' }, to: signed, summary: 'median' },
  { direction: 'lower-is-better', target: 60 },
);

/** Win rate against a 25% target with percent-of-target thresholds: good (≥ 100%), warning (≥ 90%), critical. */
export const Statuses: Story = {
  render: cards(() =>
    givenContract(
      (
        [
          ['good', 'Win rate (good)', 0.262],
          ['warning', 'Win rate (warning)', 0.234],
          ['critical', 'Win rate (critical)', 0.181],
        ] as const
      ).map(([id, label, value]) => ({
        id,
        label,
        value,
        previous: 0.228,
        target: 0.25,
        series: weekly(0.22, value),
        format: { style: 'percent' },
        thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 90, status: 'warning' }, { value: 100, status: 'good' }] },
      })),
    ),
  ),
  parameters: { layout: 'padded' },
};

/** The five delta classes (default bounds: unchanged at 0%, strong from 10%); a strong change is ringed. */
export const DeltaClasses: Story = {
  name: 'Delta classes',
  render: cards(() =>
    givenContract(
      (
        [
          ['unchanged', 'Unchanged', 1200],
          ['increase', 'Increase (+5%)', 1260],
          ['strong-increase', 'Strong increase (+30%)', 1560],
          ['decrease', 'Decrease (−5%)', 1140],
          ['strong-decrease', 'Strong decrease (−30%)', 840],
        ] as const
      ).map(([id, label, value]) => ({ id, label, value, previous: 1200, series: weekly(1200, value) })),
    ),
  ),
};

/** Lower is better: the sales cycle grew, so the ▲ is coloured as bad news. */
export const LowerIsBetter: Story = {
  name: 'Lower is better',
  render: card(() =>
    givenContract([{ id: 'cycle', label: 'Sales cycle', value: 48.6, previous: 44.1, target: 45, direction: 'lower-is-better', series: weekly(44, 48.6), format: { style: 'duration' } }]),
  ),
};

/** No previous figure: "No comparison", never 0% or ∞. From a previous 0, the difference only. */
export const MissingComparison: Story = {
  name: 'Missing comparison',
  render: cards(() =>
    givenContract([
      { id: 'arr', label: 'New market ARR', value: 2_400_000, format: money, series: weekly(0, 2_400_000) },
      { id: 'logos', label: 'New logos (previous period: 0)', value: 12, previous: 0 },
    ]),
  ),
};

/** Pre-aggregated: value, previous, target and series straight from a warehouse; no rows. */
export const PreAggregated: Story = {
  name: 'Pre-aggregated',
  render: card(() =>
    givenContract([{ id: 'pipeline', label: 'Open pipeline', value: 86_400_000, previous: 79_100_000, target: 90_000_000, series: weekly(79_100_000, 86_400_000), format: money }]),
  ),
};

/** A ratio with nothing to divide by: "—", the reason in the value's tooltip. */
export const EmptyDenominator: Story = {
  name: 'Empty denominator',
  render: card(() =>
    b2bContract([
      {
        id: 'kpi',
        label: 'Win rate in the Arctic region',
        measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'signed', where: { region: 'Arctic' } } }, denominator: { op: 'count', filter: { event: 'signed', where: { region: 'Arctic' } } } },
      },
    ]),
  ),
};

/** The old one-KPI shorthand (`metric`, `range`, `target`, `better`): the contract's title is the label. */
export const Shorthand: Story = {
  render: card(
    (): KpiContract => ({
      version: 1,
      kind: 'kpi',
      title: 'Lead volume',
      data: { rows: dailyKpis() },
      fields: { time: 'date', value: 'leads' },
      kpi: { metric: 'sum', range: { from: '2026-03-06', to: '2026-04-04' }, target: 36_000 },
    }),
  ),
};

/** zh-CN: the card's words and the number formats (万, 个百分点, 天) in Chinese; labels come from the contract. */
export const ChineseLocale: Story = {
  name: 'zh-CN',
  args: { locale: 'zh-CN' },
  render: cards(() =>
    givenContract([
      { id: 'win', label: '商机赢率', value: 0.234, previous: 0.213, target: 0.25, series: weekly(0.21, 0.234), format: { style: 'percent' }, thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 90, status: 'warning' }, { value: 100, status: 'good' }] } },
      { id: 'leads', label: '线索量', value: 38_600, previous: 35_200, series: weekly(35_200, 38_600), format: { style: 'compact' } },
      { id: 'cycle', label: '销售周期', value: 47.2, previous: 44.8, direction: 'lower-is-better', series: weekly(44.8, 47.2), format: { style: 'duration' } },
    ]),
  ),
};

/** `theme="dark"`: the same badges keep 4.5:1. */
export const DarkTheme: Story = {
  name: 'Dark',
  args: { theme: 'dark' },
  render: Statuses.render,
};

/** `state="loading"`: the contract comes from `src` and the request never answers. */
export const Loading: Story = {
  beforeEach: () => holdPendingFetches(),
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 300px"><kpi-card theme=${s.theme} .locale=${s.locale} src=${`${PENDING_ORIGIN}/kpis.json`}></kpi-card></div>`;
  },
};

/** `state="error"`: a ratio without its denominator; the card names the JSON path. */
export const ErrorState: Story = {
  name: 'Error',
  render: card(() => b2bContract([{ id: 'kpi', label: 'Win rate', measure: { op: 'ratio', numerator: { op: 'count', filter: signed } } as never }])),
};
