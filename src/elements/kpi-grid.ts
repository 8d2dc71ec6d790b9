import { css, html, nothing, type TemplateResult } from 'lit';
import { formatKpiFigures, type KpiViewModel } from '../analytics/index.js';
import { message } from '../specs/messages.js';
import type { DataTableModel } from './funnelkit-element.js';
import { changeBadge, statusWord } from './kpi-text.js';
import { hasNoData, KpiElement, kpiSkeleton } from './kpi-view.js';

/**
 * Every KPI of one contract as a responsive grid of cards (one column on a phone, up to seven
 * on a wide screen), each drawn as `<kpi-card>` draws its one KPI. Draws no Vega chart.
 *
 * @summary A dashboard row of KPI cards from one contract.
 * @tagname kpi-grid
 *
 * @csspart grid - The grid of cards.
 * @csspart label - A card's label: its button, named by the whole card in one sentence.
 *
 * @cssprop [--fk-kpi-min-width=180px] - The least width of a card before the grid wraps.
 * @cssprop [--fk-gap=12px] - Space between cards.
 */
export class KpiGrid extends KpiElement {
  static override styles = [
    ...KpiElement.styles,
    css`
      :host {
        --_fk-gap: var(--fk-gap, 12px);
      }
      [part='frame'] {
        container-type: inline-size;
      }
      [part='grid'] {
        display: grid;
        gap: var(--_fk-gap);
        /* As many columns as fit, each at least the min width, but never more than seven. */
        grid-template-columns: repeat(
          auto-fit,
          minmax(min(100%, max(var(--fk-kpi-min-width, 180px), calc((100% - 6 * var(--_fk-gap)) / 7))), 1fr)
        );
      }
      /* A phone, however wide: one card a row. */
      @container (width < 420px) {
        [part='grid'] {
          grid-template-columns: 1fr;
        }
      }
      .kpi {
        box-sizing: border-box;
        padding: 12px 14px;
        background: var(--_fk-color-background);
        border: var(--_fk-border);
      }
      [part='value'] {
        font-size: 24px;
      }
    `,
  ];

  protected isEmpty(vm: KpiViewModel): boolean {
    return vm.kpis.every(hasNoData);
  }

  protected override renderContent(vm: KpiViewModel | null): TemplateResult | typeof nothing {
    // Loading: one row's placeholder (how many cards come is not known yet).
    if (vm === null) return this.state === 'loading' ? html`<div part="grid">${kpiSkeleton()}</div>` : nothing;
    return html`<div part="grid">${vm.kpis.map((kpi) => this.renderKpi(kpi, 'label'))}</div>`;
  }

  protected override caption(_vm: KpiViewModel): string {
    return this.heading() ?? message('kpis', this.effectiveLocale);
  }

  protected describe(vm: KpiViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    return {
      columns: [message('kpis', locale), message('value', locale), message('change', locale), message('target', locale), message('status', locale)],
      rows: vm.kpis.map((kpi) => {
        const figures = formatKpiFigures(kpi, locale);
        return [
          kpi.label,
          figures.value,
          changeBadge(kpi, figures)?.figure ?? message('noComparison', locale),
          figures.attainment ?? '—',
          kpi.status === null ? '—' : statusWord(kpi.status, locale),
        ];
      }),
    };
  }
}
