import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import { b2bContract, grid, leadToCashComputed, leadToCashGiven } from './support/kpi-samples.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

const meta = {
  title: 'Widgets/KPI grid',
  component: 'kpi-grid',
  argTypes: widgetArgTypes,
  parameters: {
    layout: 'padded',
    docs: {
      description: {
        component:
          'Every KPI of one contract as a grid of cards, each drawn as `<kpi-card>` draws its KPI: as many columns as fit, from one on a phone to seven on a wide screen. Data: the 90 generated lead-to-cash days (seed 7), the last 30 against the 30 before.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

/** The seven lead-to-cash KPIs (线索量 → 资源投入), pre-aggregated, with targets and thresholds. */
export const LeadToCash: Story = {
  name: 'Lead to cash (pre-aggregated)',
  render: grid(leadToCashGiven),
};

/** The same seven KPIs computed in the browser from the daily rows (sum and mean measures). */
export const LeadToCashComputed: Story = {
  name: 'Lead to cash (computed)',
  render: grid(leadToCashComputed),
};

/** zh-CN: the labels from the contract, the words and number formats (万, 个百分点, 天) from the locale. */
export const Chinese: Story = {
  name: 'zh-CN',
  args: { locale: 'zh-CN' },
  render: grid(leadToCashGiven),
};

/** `theme="dark"`. */
export const Dark: Story = {
  args: { theme: 'dark' },
  render: grid(leadToCashGiven),
};

/** On a phone: one column. */
export const Phone: Story = {
  render: grid(leadToCashGiven, '360px'),
  parameters: { viewport: { defaultViewport: 'mobile1' } },
};

/** The measure kinds over the B2B opportunity events, Q2 2026 against the 91 days before. */
export const OpportunityEvents: Story = {
  name: 'Opportunity events (computed)',
  render: grid(() =>
    b2bContract(
      [
        { id: 'identified', label: 'Identified', measure: { op: 'count', filter: { event: 'opportunity_identified' } }, target: 400 },
        { id: 'signed', label: 'Signed', measure: { op: 'count', filter: { event: 'signed' } } },
        {
          id: 'rate',
          label: 'Signed per identified',
          measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'signed' } }, denominator: { op: 'count', filter: { event: 'opportunity_identified' } } },
        },
        { id: 'value', label: 'Signed value', measure: { op: 'sum', field: 'amount', filter: { event: 'signed' } }, format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 1 } },
        { id: 'cycle', label: 'Sales cycle', measure: { op: 'duration', from: { event: 'opportunity_identified' }, to: { event: 'signed' } }, direction: 'lower-is-better' },
      ],
      'Opportunities, Q2 2026',
    ),
  ),
};

/** `state="loading"`. */
export const Loading: Story = {
  beforeEach: () => holdPendingFetches(),
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<kpi-grid theme=${s.theme} .locale=${s.locale} src=${`${PENDING_ORIGIN}/kpis.json`}></kpi-grid>`;
  },
};

/** `state="error"`: two KPIs with one id; the grid names the JSON path. */
export const ErrorState: Story = {
  name: 'Error',
  render: grid(() => {
    const c = leadToCashGiven();
    return { ...c, kpi: { kpis: [...(c.kpi.kpis ?? []), { ...c.kpi.kpis![0] }] } };
  }),
};
