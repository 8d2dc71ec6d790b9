import { property } from 'lit/decorators.js';
import type { View } from 'vega';
import type { FunnelContract, InlineContract } from '../analytics/contract.js';
import { computeFunnel, type FunnelViewModel } from '../analytics/funnel.js';
import { formatPercent } from '../specs/format.js';
import { buildFunnelSpec, stepLabel, type FunnelMetric, type FunnelOrientation } from '../specs/funnel-spec.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { emit } from './emit.js';
import { FunnelKitElement, type DataTableModel } from './funnelkit-element.js';

/** Detail of `funnel-step-click`. */
export interface FunnelStepClickDetail {
  index: number;
  name: string;
  /** Breakdown group, or null without a breakdown. */
  group: string | null;
  count: number;
  conversionFromFirst: number;
  conversionFromPrevious: number;
}

/**
 * A conversion funnel computed in the browser from raw events (PostHog semantics) or drawn from
 * pre-aggregated step counts: where entities drop off, and which step is the break point.
 *
 * @summary Conversion funnel from raw events.
 * @tagname funnel-chart
 *
 * @attr metric - Bar labels: `count` (default), `first` (% of first step) or `previous` (% of previous step).
 * @attr orientation - `vertical` (default) or `horizontal` bars.
 *
 * @fires funnel-step-click - A step bar was clicked; detail has the step index, name, group, count and rates.
 */
export class FunnelChart extends FunnelKitElement<FunnelContract, FunnelViewModel> {
  @property({ reflect: true }) metric: FunnelMetric = 'count';

  @property({ reflect: true }) orientation: FunnelOrientation = 'vertical';

  protected readonly kind = 'funnel' as const;

  protected compute(contract: InlineContract<FunnelContract>): FunnelViewModel {
    return computeFunnel(contract);
  }

  protected isEmpty(vm: FunnelViewModel): boolean {
    return vm.steps.every((s) => s.count === 0);
  }

  protected buildSpec(vm: FunnelViewModel, context: SpecContext) {
    return buildFunnelSpec(vm, context, { metric: this.metric, orientation: this.orientation });
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed as never);
    if (changed.has('metric') || changed.has('orientation')) this.requestRedraw();
  }

  protected override viewUpdated(view: View, mode: 'embed' | 'update'): void {
    if (mode !== 'embed') return;
    view.addEventListener('click', (_event, item) => {
      const datum = (item as { datum?: { index?: number; group?: string } } | null)?.datum;
      if (!datum || typeof datum.index !== 'number' || !this.viewModel) return;
      const vm = this.viewModel;
      const group = vm.breakdown?.find((g) => g.value === datum.group) ?? null;
      const step = (group?.steps ?? vm.steps)[datum.index];
      emit<FunnelStepClickDetail>(this, 'funnel-step-click', {
        index: step.index,
        name: step.name,
        group: group ? group.value : null,
        count: step.count,
        conversionFromFirst: step.conversionFromFirst,
        conversionFromPrevious: step.conversionFromPrevious,
      });
    });
  }

  protected describe(vm: FunnelViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    const groups = vm.breakdown ?? [{ value: '', steps: vm.steps }];
    return {
      columns: [
        ...(vm.breakdown ? [message('group', locale)] : []),
        message('step', locale),
        message('entities', locale),
        message('fromFirst', locale),
        message('fromPrevious', locale),
      ],
      rows: groups.flatMap((g) =>
        g.steps.map((s) => [
          ...(vm.breakdown ? [g.value || message('none', locale)] : []),
          s.name,
          stepLabel(s, 'count', locale),
          formatPercent(s.conversionFromFirst, locale),
          formatPercent(s.conversionFromPrevious, locale),
        ]),
      ),
    };
  }
}

declare global {
  interface HTMLElementEventMap {
    'funnel-step-click': CustomEvent<FunnelStepClickDetail>;
  }
}
