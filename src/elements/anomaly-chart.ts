import { css, html } from 'lit';
import type { AnomalyContract, AnomalyViewModel } from '../analytics/index.js';
import { alertText, buildAnomalySpec } from '../specs/anomaly-spec.js';
import { formatChange, formatNumber } from '../specs/format.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import type { DataTableModel } from './funnelkit-element.js';
import { VegaElement } from './vega-element.js';

const STATE_LABEL = { ok: 'stateOk', warning: 'stateWarning', critical: 'stateCritical' } as const;

/**
 * A metric over time checked against alert rules: thresholds drawn as dashed lines, alerting
 * periods marked by severity, the current state as a badge and the latest alerts listed.
 *
 * @summary Threshold and period-over-period alerts on a time series.
 * @tagname anomaly-chart
 *
 * @csspart state - The current alert state badge (`data-state` is `ok`, `warning` or `critical`).
 * @csspart alerts - The list of recent alerts.
 */
export class AnomalyChart extends VegaElement<AnomalyContract, AnomalyViewModel> {
  static override styles = [
    ...VegaElement.styles,
    css`
      .summary {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px 12px;
        font-size: 13px;
      }
      /* Token toward the text colour: 4.5:1 on its tint in both themes (the bare light success
         and alert tokens are 3.5:1 and 3.9:1 there). */
      [part='state'] {
        font-weight: 600;
        padding: 2px 8px;
        border-radius: 999px;
        color: color-mix(in srgb, var(--_fk-color-success) 70%, var(--_fk-color-text));
        background: color-mix(in srgb, var(--_fk-color-success) 14%, transparent);
      }
      [part='state'][data-state='warning'] {
        color: var(--_fk-color-text);
        background: color-mix(in srgb, var(--_fk-color-warning) 30%, transparent);
      }
      [part='state'][data-state='critical'] {
        color: color-mix(in srgb, var(--_fk-color-alert) 70%, var(--_fk-color-text));
        background: color-mix(in srgb, var(--_fk-color-alert) 14%, transparent);
      }
      [part='alerts'] {
        margin: 0;
        padding: 0;
        list-style: none;
        color: var(--_fk-color-muted);
      }
    `,
  ];

  protected readonly kind = 'anomaly' as const;

  protected isEmpty(vm: AnomalyViewModel): boolean {
    return vm.points.length === 0;
  }

  protected buildSpec(vm: AnomalyViewModel, context: SpecContext) {
    return buildAnomalySpec(vm, context);
  }

  protected override renderSummary(vm: AnomalyViewModel) {
    const locale = this.effectiveLocale;
    return html`
      <div class="summary">
        <span part="state" data-state=${vm.state} role="status">${message(STATE_LABEL[vm.state], locale)}</span>
        <ul part="alerts">
          ${vm.alerts.length === 0
            ? html`<li>${message('alertsNone', locale)}</li>`
            : vm.alerts.slice(0, 3).map(
                (p) => html`<li>${p.period}: ${p.alerts.map((a) => alertText(a.kind, a.limit, locale, a.label)).join('; ')}</li>`,
              )}
        </ul>
      </div>
    `;
  }

  protected describe(vm: AnomalyViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    return {
      columns: [message('period', locale), message('value', locale), message('change', locale), message('alert', locale)],
      rows: vm.points.map((p) => [
        p.period,
        p.value === null ? '–' : formatNumber(p.value, locale, this.shownContract?.format),
        p.change === null ? '–' : formatChange(p.change, locale),
        p.alerts.map((a) => alertText(a.kind, a.limit, locale, a.label)).join('; ') || message(STATE_LABEL.ok, locale),
      ]),
    };
  }
}
