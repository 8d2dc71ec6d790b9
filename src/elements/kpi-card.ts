import { css, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { ContractError } from '../analytics/contract-error.js';
import { formatKpiValue, type KpiResult, type KpiViewModel } from '../analytics/index.js';
import { message } from '../specs/messages.js';
import type { DataTableModel } from './funnelkit-element.js';
import { hasNoData, KpiElement, kpiSkeleton } from './kpi-view.js';

/**
 * A KPI card: one figure over its period (lead volume, win rate, deal size, sales cycle…), its
 * change against the previous period coloured by whether that is good, progress to a target,
 * the threshold status and a sparkline. Draws no Vega chart and loads no Vega: the sparkline is
 * the card's own SVG.
 *
 * @summary One KPI with comparison, target, status and sparkline.
 * @tagname kpi-card
 *
 * @attr kpi - The id of the KPI to show when the contract has several (`kpi.kpis[].id`); unset, the contract's only KPI.
 */
export class KpiCard extends KpiElement {
  static override styles = [
    ...KpiElement.styles,
    css`
      /* The whole card is the button: the frame lends it its padding. */
      [part='frame'] {
        padding: 0;
        gap: 0;
      }
      [part='status'] {
        margin: 12px 16px 0;
      }
      .kpi {
        flex: 1 1 auto;
        padding: 12px 16px;
      }
    `,
  ];

  /** The id of the KPI to show, when the contract has several. */
  @property({ reflect: true }) kpi?: string;

  /** The KPI shown, picked from the view model by {@link kpi}. */
  protected pick(vm: KpiViewModel): KpiResult | undefined {
    return this.kpi ? vm.kpis.find((k) => k.id === this.kpi) : vm.kpis.length === 1 ? vm.kpis[0] : undefined;
  }

  protected override shownKpis(vm: KpiViewModel): KpiResult[] {
    const kpi = this.pick(vm);
    return kpi ? [kpi] : [];
  }

  protected override checkView(vm: KpiViewModel): void {
    if (this.pick(vm)) return;
    const ids = vm.kpis.map((k) => `"${k.id}"`).join(', ');
    if (this.kpi) throw new ContractError('/kpi/kpis', `no KPI has the id "${this.kpi}" that the kpi attribute names (ids: ${ids || 'none'})`);
    throw new ContractError('/kpi/kpis', `${vm.kpis.length} KPIs (${ids}): set the kpi attribute of <${this.localName}> to the id of one`);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // Another KPI of the same contract: computed again, and checked like a new contract.
    if (changed.has('kpi') && this.hasUpdated) void this.reload();
  }

  protected isEmpty(vm: KpiViewModel): boolean {
    const kpi = this.pick(vm);
    return !kpi || hasNoData(kpi);
  }

  /** The KPI's label is the card's title line, inside the card's button. */
  protected override heading(): undefined {
    return undefined;
  }

  protected override caption(vm: KpiViewModel): string {
    return this.pick(vm)?.label || super.caption(vm);
  }

  protected override renderContent(vm: KpiViewModel | null): TemplateResult | typeof nothing {
    if (vm === null && this.state === 'loading') return kpiSkeleton();
    const kpi = vm && this.pick(vm);
    return kpi ? this.renderKpi(kpi, 'title') : nothing;
  }

  protected describe(vm: KpiViewModel): DataTableModel {
    const kpi = this.pick(vm);
    const locale = this.effectiveLocale;
    if (!kpi) return { columns: [], rows: [] };
    return {
      columns: [message('period', locale), message('value', locale)],
      rows: kpi.sparkline.map((p) => [p.period, p.value === null ? '—' : formatKpiValue(p.value, kpi.format, locale)]),
    };
  }
}
