import { css, html, nothing } from 'lit';
import type { KpiContract, KpiViewModel } from '../analytics/index.js';
import { formatChange, formatPercent } from '../specs/format.js';
import { formatInUnit } from '../specs/format-unit.js';
import { buildKpiSpec } from '../specs/kpi-spec.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { FunnelKitElement, type DataTableModel } from './funnelkit-element.js';
import { styleProps } from './style-props.js';

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
      /* The token toward the text colour keeps 4.5:1 on its tint in both themes (light: success
         5.1:1, alert 5.8:1; dark: 7.3:1, 6.5:1); the bare tokens are 3.5:1 and 3.9:1 on light. */
      [part='change'][data-good='true'] {
        color: color-mix(in srgb, var(--_fk-color-success) 70%, var(--_fk-color-text));
        background: color-mix(in srgb, var(--_fk-color-success) 14%, transparent);
      }
      [part='change'][data-good='false'] {
        color: color-mix(in srgb, var(--_fk-color-alert) 70%, var(--_fk-color-text));
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
      ${vm.progress !== null ? this.renderTarget(vm, vm.progress) : nothing}
    `;
  }

  /** Progress to the target: the words, and a bar named "Target" that reads them as its value. */
  private renderTarget(vm: KpiViewModel, progress: number) {
    const locale = this.effectiveLocale;
    const text = `${formatPercent(progress, locale, 0)} ${message('ofTarget', locale)} (${this.figure(vm.target, vm)})`;
    const percent = Math.min(100, Math.max(0, progress * 100));
    return html`<div part="target">
      ${text}
      <div
        class="bar"
        role="progressbar"
        aria-label=${message('target', locale)}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${Math.round(percent)}
        aria-valuetext=${text}
      >
        <div style=${styleProps({ width: `${percent}%` })}></div>
      </div>
    </div>`;
  }

  protected describe(vm: KpiViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    return {
      columns: [message('period', locale), message('value', locale)],
      rows: vm.sparkline.map((p) => [p.period, this.figure(p.value, vm)]),
    };
  }
}
