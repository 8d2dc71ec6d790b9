import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import '../src/anomaly-chart.js';
import '../src/kpi-card.js';
import type { AnomalyChart } from '../src/anomaly-chart.js';
import type { AnomalyContract, KpiContract } from '../src/analytics/contract.js';
import { toColumns } from '../demo/data/sample-data.js';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import { dailyKpis } from './support/sample.js';
import { applySettings, widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/**
 * What every FunnelKit element shows around its chart: loading, empty, error (with the JSON path,
 * keeping the last good view) and ready; the theme and locale; and the three places a contract
 * can come from. Shown on `<kpi-card>` (and `<anomaly-chart>` where a chart makes the point);
 * every widget shares this behaviour through the base class.
 */

/** Lead volume over the last 30 of the 90 sample days. */
function leadVolume(overrides: Partial<KpiContract> = {}): KpiContract {
  return {
    version: 1,
    kind: 'kpi',
    title: 'Lead volume',
    data: { rows: dailyKpis() },
    fields: { time: 'date', value: 'leads' },
    kpi: { metric: 'sum', unit: 'number', range: { from: '2026-03-06', to: '2026-04-04' }, target: 45000 },
    ...overrides,
  };
}

/** The daily conversion rate of the 90 sample days (one row a day) with DOMAIN.md's >10% day-over-day drop rule. */
function conversionAlerts(): AnomalyContract {
  return {
    version: 1,
    kind: 'anomaly',
    title: 'Lead conversion rate, daily',
    data: { rows: dailyKpis() },
    fields: { time: 'date' },
    anomaly: {
      grain: 'day',
      measure: { op: 'mean', field: 'conversionRate' },
      rules: [{ id: 'dod-drop', name: 'Day-over-day drop > 10%', type: 'change', compare: 'previous', direction: 'drop', threshold: 10, severity: 'critical' }],
      format: { style: 'percent', maximumFractionDigits: 1 },
    },
  };
}

/** A KPI card, 360px wide, with the contract as a property. */
function card(contract: () => unknown) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 360px">
      <kpi-card theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} .contract=${contract()}></kpi-card>
    </div>`;
  };
}

const meta = {
  title: 'Foundation/States',
  argTypes: widgetArgTypes,
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

/**
 * `state="loading"`: the contract comes from `src`, and the request never answers. (The story
 * holds fetches to a reserved `.invalid` host open until aborted; see support/pending-fetch.ts.)
 */
export const Loading: Story = {
  beforeEach: () => holdPendingFetches(),
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 360px">
      <kpi-card theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} src=${`${PENDING_ORIGIN}/lead-volume.kpi.json`}></kpi-card>
    </div>`;
  },
};

/** `state="empty"`: a valid contract whose range (January 2025) has no rows. */
export const Empty: Story = {
  render: card(() => leadVolume({ kpi: { metric: 'sum', range: { from: '2025-01-01', to: '2025-01-31' } } })),
};

/**
 * `state="error"`: the contract is invalid (`kpi.metric: "median"`). The widget names the problem
 * and its JSON path, and fires `funnelkit-error` with the same detail.
 */
export const InvalidContract: Story = {
  name: 'Error (invalid contract)',
  render: card(() => ({ ...leadVolume(), kpi: { metric: 'median', unit: 'number' } })),
};

/**
 * A valid contract renders, then the host sets an invalid one (`anomaly.rules[0].type: "trend"`):
 * the error is shown above the last good chart, which stays.
 */
export const ErrorKeepsLastGoodView: Story = {
  name: 'Error keeps the last good view',
  render: (args, { globals }) => {
    const element = document.createElement('anomaly-chart') as AnomalyChart;
    applySettings(element, widgetSettings(args, globals));
    element.contract = conversionAlerts();
    element.addEventListener(
      'funnelkit-render',
      () => {
        const invalid = conversionAlerts();
        element.contract = { ...invalid, anomaly: { ...invalid.anomaly, rules: [{ type: 'trend', threshold: 10 }] } } as never;
      },
      { once: true },
    );
    const frame = document.createElement('div');
    frame.style.maxWidth = '760px';
    frame.append(element);
    return frame;
  },
};

/** `state="ready"`: figure, change against the previous 30 days, progress to target, sparkline. */
export const Ready: Story = { render: card(() => leadVolume()) };

/** `theme="dark"`; without a theme attribute the widget follows `prefers-color-scheme`. */
export const DarkTheme: Story = {
  args: { theme: 'dark' },
  render: card(() => leadVolume()),
};

/** `locale="zh-CN"`: the widget's own words and number formats in Chinese (the title comes from the host). */
export const ChineseLocale: Story = {
  name: 'zh-CN locale',
  args: { locale: 'zh-CN' },
  render: card(() => leadVolume({ title: '线索量' })),
};

/** Data source 1: the contract as the `contract` property, here with data in column form (`toColumns`). */
export const SourceProperty: Story = {
  name: 'Source: contract property',
  render: card(() => leadVolume({ title: 'Lead volume (contract property, column data)', data: { columns: toColumns(dailyKpis()) as never } })),
};

/**
 * Data source 2: `src="story-assets/lead-volume.kpi.json"`, a contract served as a static file whose
 * `data: { url: "daily-kpis.csv", format: "csv" }` resolves against the contract's own URL.
 */
export const SourceSrc: Story = {
  name: 'Source: src URL',
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 360px">
      <kpi-card theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} src="story-assets/lead-volume.kpi.json"></kpi-card>
    </div>`;
  },
};

/**
 * Data source 3: an inline `<script type="application/json">` child, as a host page without a
 * bundler writes it. (Built as markup: Lit cannot bind inside a `<script>`.)
 */
export const SourceInlineScript: Story = {
  name: 'Source: inline script',
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    const contract = {
      version: 1,
      kind: 'kpi',
      title: 'Leads, last 14 days (inline script)',
      data: { rows: dailyKpis().slice(-28).map((r) => ({ date: r.date, leads: r.leads })) },
      fields: { time: 'date', value: 'leads' },
      kpi: { metric: 'sum', range: { from: '2026-03-22', to: '2026-04-04' } },
    };
    const json = JSON.stringify(contract, null, 2).replaceAll('</', '<\\/');
    const markup = `<kpi-card theme="${s.theme}" renderer="${s.renderer}" locale="${s.locale}">
  <script type="application/json">${json}</script>
</kpi-card>`;
    return html`<div style="max-width: 360px">${unsafeHTML(markup)}</div>`;
  },
};
