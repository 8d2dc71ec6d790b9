import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../src/cohort-chart.js';
import type { CohortContract } from '../src/analytics/contract.js';
import { appEvents, leadOrders } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/**
 * Repurchase by month of first order: the leads generator's orders and repurchases (20,000
 * leads acquired monthly from January 2026, seed 3), cohorts February 2026 to January 2027.
 */
function monthlyRepurchase(mode: 'retention' | 'unbounded' = 'retention', title = 'Repurchase by month of first order'): CohortContract {
  return {
    version: 1,
    kind: 'cohort',
    title,
    data: { rows: leadOrders() },
    fields: { entity: 'entity', time: 'ts', event: 'event' },
    cohort: { startEvent: 'order', returnEvent: 'repurchase', period: 'month', periods: 6, mode, range: { from: '2026-02-01', to: '2027-01-31' } },
  };
}

function chart(contract: () => CohortContract) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 760px">
      <cohort-chart theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} .contract=${contract()}></cohort-chart>
    </div>`;
  };
}

const meta = {
  title: 'Widgets/Cohort chart',
  component: 'cohort-chart',
  argTypes: widgetArgTypes,
  parameters: {
    docs: {
      description: {
        component:
          'Entities grouped by the period they started, and the share that came back in each later period. Faded cells are periods that had not ended at the latest event.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

/** Customers grouped by the month of their first order; a cell is the share who repurchased in that month. */
export const MonthlyRepurchase: Story = { render: chart(() => monthlyRepurchase()) };

/** App users (seed 5, 1,500 users over 8 weeks) grouped by the week of their first visit; a cell is the share active that week. */
export const WeeklyRetention: Story = {
  render: chart(() => ({
    version: 1,
    kind: 'cohort',
    title: 'Weekly retention, app users',
    data: { rows: appEvents() },
    fields: { entity: 'entity', time: 'ts', event: 'event' },
    cohort: { startEvent: 'visit', period: 'week', periods: 8, range: { from: '2026-01-05', to: '2026-03-01' } },
  })),
};

/** `mode: 'unbounded'`: the share who repurchased in that month *or later*, so each row only falls. */
export const Unbounded: Story = {
  render: chart(() => monthlyRepurchase('unbounded', 'Repurchased by month N or later')),
};

/** Chinese headings (第N月, 同期群) and number formats. */
export const ChineseLabels: Story = {
  name: 'zh-CN labels',
  args: { locale: 'zh-CN' },
  render: chart(() => ({ ...monthlyRepurchase('retention', '按首单月份的复购率'), locale: 'zh-CN' })),
};
