import type { CohortContract, CohortViewModel } from '../analytics/index.js';
import { buildCohortSpec } from '../specs/cohort-spec.js';
import { formatPercent } from '../specs/format.js';
import { message, offsetLabel } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { FunnelKitElement, type DataTableModel } from './funnelkit-element.js';

/**
 * A cohort retention (or repurchase) table: entities grouped by when they started, and the
 * share that came back in each later day, week or month.
 *
 * @summary Cohort retention heatmap.
 * @tagname cohort-chart
 */
export class CohortChart extends FunnelKitElement<CohortContract, CohortViewModel> {
  protected readonly kind = 'cohort' as const;

  protected isEmpty(vm: CohortViewModel): boolean {
    return vm.cohorts.length === 0;
  }

  protected buildSpec(vm: CohortViewModel, context: SpecContext) {
    return buildCohortSpec(vm, context);
  }

  protected describe(vm: CohortViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    return {
      columns: [message('cohort', locale), message('size', locale), ...Array.from({ length: vm.periods }, (_, k) => offsetLabel(vm.period, k, locale))],
      rows: vm.cohorts.map((c) => [
        c.cohort,
        c.size,
        ...Array.from({ length: vm.periods }, (_, k) => {
          const cell = c.cells[k];
          if (!cell) return '';
          return `${formatPercent(cell.rate, locale, 0)}${cell.incomplete ? ` (${message('incomplete', locale)})` : ''}`;
        }),
      ]),
    };
  }
}
