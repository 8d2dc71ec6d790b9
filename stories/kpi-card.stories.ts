import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../src/kpi-card.js';
import type { KpiContract } from '../src/analytics/contract.js';
import { dailyKpis } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/** The last 30 of the 90 sample days; the previous period is the 30 days before. */
const LAST_30_DAYS = { from: '2026-03-06', to: '2026-04-04' };

type KpiSpec = Omit<KpiContract, 'version' | 'kind' | 'data'>;

/** A KPI contract over the daily sample KPIs (one row per day, `date` column). */
function kpi(spec: KpiSpec): KpiContract {
  return { version: 1, kind: 'kpi', data: { rows: dailyKpis() }, ...spec };
}

const leadVolume = (title = 'Lead volume') =>
  kpi({ title, fields: { time: 'date', value: 'leads' }, kpi: { metric: 'sum', unit: 'number', range: LAST_30_DAYS } });

const winRate = (title = 'Opportunity win rate') =>
  kpi({ title, fields: { time: 'date', value: 'winRate' }, kpi: { metric: 'mean', unit: 'percent', target: 0.25, range: LAST_30_DAYS } });

const averageDealSize = (title = 'Average deal size') =>
  kpi({
    title,
    fields: { time: 'date', value: 'avgDealSize' },
    format: { currency: 'CNY', compact: true },
    kpi: { metric: 'mean', unit: 'currency', range: LAST_30_DAYS },
  });

const salesCycle = (title = 'Sales cycle') =>
  kpi({ title, fields: { time: 'date', value: 'cycleDays' }, kpi: { metric: 'mean', unit: 'days', better: 'down', range: LAST_30_DAYS } });

/** One card, 320px wide, as it would sit in a dashboard column. */
function card(contract: () => KpiContract) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 320px">
      <kpi-card theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} .contract=${contract()}></kpi-card>
    </div>`;
  };
}

/** A dashboard row of cards. */
function row(contracts: Array<() => KpiContract>) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 16px">
      ${contracts.map((c) => html`<kpi-card theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} .contract=${c()}></kpi-card>`)}
    </div>`;
  };
}

const meta = {
  title: 'Widgets/KPI card',
  component: 'kpi-card',
  argTypes: widgetArgTypes,
  parameters: {
    docs: {
      description: {
        component:
          'One KPI over a range, against the previous period of equal length (coloured by whether the change is good), progress to a target, and a sparkline. Data: 90 days of generated lead-to-cash KPIs (seed 7); range: the last 30 days.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

/** 线索量: a plain sum of daily leads. */
export const LeadVolume: Story = { render: card(() => leadVolume()) };

/** 商机赢率: a mean of daily rates shown as a percent, with progress to a 25% target. */
export const WinRate: Story = { render: card(() => winRate()) };

/** 每单单产: money in CNY with compact notation (`CN¥185K`, `18.5万`). */
export const AverageDealSize: Story = { render: card(() => averageDealSize()) };

/** 销售周期: in days, where a fall is the good direction (`better: 'down'`). */
export const SalesCycle: Story = { render: card(() => salesCycle()) };

/** The four cards as a dashboard row (responsive grid). */
export const Row: Story = {
  render: row([() => leadVolume(), () => winRate(), () => averageDealSize(), () => salesCycle()]),
  parameters: { layout: 'padded' },
};

/** The same row for a Chinese-speaking sales leader: titles from the host, words and number formats from the locale. */
export const ChineseLabels: Story = {
  name: 'zh-CN labels',
  args: { locale: 'zh-CN' },
  render: row([
    () => ({ ...leadVolume('线索量'), locale: 'zh-CN' }),
    () => ({ ...winRate('商机赢率'), locale: 'zh-CN' }),
    () => ({ ...averageDealSize('每单单产'), locale: 'zh-CN' }),
    () => ({ ...salesCycle('销售周期'), locale: 'zh-CN' }),
  ]),
};
