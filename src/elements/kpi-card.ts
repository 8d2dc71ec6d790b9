import { css, html, nothing } from 'lit';
import type { InlineContract, KpiContract } from '../analytics/contract.js';
import { computeKpi, type KpiViewModel } from '../analytics/kpi.js';
import { formatChange, formatPercent } from '../specs/format.js';
import { formatInUnit } from '../specs/format-unit.js';
import { buildKpiSpec } from '../specs/kpi-spec.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { FunnelKitElement, type DataTableModel } from './funnelkit-element.js';

/**
 * A KPI card: one figure over a range (lead volume, win rate, deal size, sales cycle…), its
 * change against the previous period coloured by whether that is good, progress to a target,
 * and a sparkline.
 *
 * @summary One KPI with comparison, target and sparkline.
 * @tagname kpi-card
 *
 * @csspart value - The figure.
 * @csspart change - The change badge.
 * @csspart target - The target progress line.
 *
 * @cssprop --fk-height - Height of the sparkline (default 64px on this card).
 */
export class KpiCard extends FunnelKitElement<KpiContract, KpiViewModel> {
  static override styles = [
    ...FunnelKitElement.styles,
    css`
      :host {
        --_fk-height: var(--fk-height, 64px);
      }
      .figure {
        display: flex;
        align-items: baseline;
        flex-wrap: wrap;
        gap: 8px 12px;
      }
      [part='value'] {
        font-size: 32px;
        font-weight: 650;
        line-height: 1.1;
        font-variant-numeric: tabular-nums;
      }
      [part='change'] {
        font-size: 13px;
        font-weight: 600;
        padding: 2px 6px;
        border-radius: 999px;
        color: var(--_fk-color-muted);
        background: color-mix(in srgb, var(--_fk-color-grid) 60%, transparent);
      }
      [part='change'][data-good='true'] {
        color: var(--_fk-color-success);
        background: color-mix(in srgb, var(--_fk-color-success) 14%, transparent);
      }
      [part='change'][data-good='false'] {
        color: var(--_fk-color-alert);
        background: color-mix(in srgb, var(--_fk-color-alert) 14%, transparent);
      }
      .previous,
      [part='target'] {
        font-size: 12px;
        color: var(--_fk-color-muted);
      }
      .bar {
        height: 4px;
        border-radius: 2px;
        background: var(--_fk-color-grid);
        overflow: hidden;
        margin-top: 4px;
      }
      .bar > div {
        height: 100%;
        background: var(--_fk-color-accent);
      }
    `,
  ];

  protected readonly kind = 'kpi' as const;

  protected compute(contract: InlineContract<KpiContract>): KpiViewModel {
    return computeKpi(contract);
  }

  protected isEmpty(vm: KpiViewModel): boolean {
    return vm.rows === 0;
  }

  protected buildSpec(vm: KpiViewModel, context: SpecContext) {
    return vm.sparkline.length > 1 ? buildKpiSpec(vm, context) : null;
  }

  private figure(value: number | null, vm: KpiViewModel): string {
    return value === null ? '–' : formatInUnit(value, vm.unit, this.effectiveLocale, this.shownContract?.format);
  }

  protected override renderSummary(vm: KpiViewModel) {
    const locale = this.effectiveLocale;
    const arrow = vm.change === null || vm.change === 0 ? '' : vm.change > 0 ? '▲ ' : '▼ ';
    return html`
      <div class="figure">
        <span part="value">${this.figure(vm.value, vm)}</span>
        ${vm.change !== null
          ? html`<span part="change" data-good=${vm.improved === null ? 'neutral' : String(vm.improved)}>${arrow}${formatChange(vm.change, locale)}</span>`
          : nothing}
      </div>
      ${vm.previous !== null
        ? html`<div class="previous">${message('vsPrevious', locale)}: ${this.figure(vm.previous, vm)}</div>`
        : nothing}
      ${vm.progress !== null
        ? html`<div part="target">
            ${formatPercent(vm.progress, locale, 0)} ${message('ofTarget', locale)} (${this.figure(vm.target, vm)})
            <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(vm.progress * 100)}>
              <div style="width: ${Math.min(100, Math.max(0, vm.progress * 100))}%"></div>
            </div>
          </div>`
        : nothing}
    `;
  }

  protected describe(vm: KpiViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    return {
      columns: [message('period', locale), message('value', locale)],
      rows: vm.sparkline.map((p) => [p.period, this.figure(p.value, vm)]),
    };
  }
}
