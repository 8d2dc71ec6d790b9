/**
 * One KPI drawn as a card, the one template `<kpi-card>` and `<kpi-grid>` share, and the base
 * both extend: a {@link FunnelKitElement} of kind `kpi` with no Vega chart (the sparkline is the
 * card's own SVG) that fires `kpi-click`.
 * @module
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatKpiFigures, type KpiContract, type KpiResult, type KpiViewModel } from '../analytics/index.js';
import { message, type MessageKey } from '../specs/messages.js';
import { LIGHT_TOKENS } from '../specs/theme.js';
import { emit } from './emit.js';
import { kpiSvg, type KpiCardFigures } from './export.js';
import { FunnelKitElement } from './funnelkit-element.js';
import { changeBadge, comparisonLabel, fill, kpiSentence, noteReason, statusColor, statusWord, targetText } from './kpi-text.js';
import { kpiStyles } from './kpi-view.styles.js';
import { sparkline } from './sparkline.js';
import { styleProps } from './style-props.js';

/** Detail of `kpi-click`. */
export interface KpiClickDetail {
  id: string;
  value: number | null;
  /** The period in force, [from, to) in epoch ms. */
  period: { from: number; to: number } | null;
}

export interface KpiViewOptions {
  locale: string;
  /** The part of the label button: `title` in `<kpi-card>` (the card's title line), `label` in a grid cell. */
  labelPart: 'title' | 'label';
  /** The card was clicked, or its button pressed with Enter or Space. */
  activate(kpi: KpiResult): void;
}

/**
 * Nothing measured in the period: no value, or a computed KPI that no row fed (a ratio with an
 * empty denominator is shown, as "—" with the reason).
 */
export function hasNoData(kpi: KpiResult): boolean {
  return kpi.note === 'no-data' || (kpi.note === null && kpi.range !== null && kpi.rows === 0);
}

/** A message with its words and figures filled in, each figure kept on one line ("47.9 days", "3.6万"). */
function withFigures(key: MessageKey, figures: Record<string, string>, words: Record<string, string>, locale: string): Array<string | TemplateResult> {
  return message(key, locale)
    .split(/(\{\w+\})/)
    .map((piece) => {
      const name = /^\{(\w+)\}$/.exec(piece)?.[1];
      if (name === undefined) return piece;
      return name in figures ? html`<span class="figure-text">${figures[name]}</span>` : (words[name] ?? '');
    });
}

/** Progress to the target: the words, and a bar named "Target" that reads them as its value. */
function targetBar(kpi: KpiResult, figures: KpiResult['formatted'], locale: string): TemplateResult | typeof nothing {
  const text = targetText(figures, locale);
  if (text === null || figures.attainment === null || figures.target === null || kpi.attainment === null) return nothing;
  const percent = Math.min(100, Math.max(0, kpi.attainment));
  return html`<div part="target">
    ${withFigures('ofTarget', { pct: figures.attainment, target: figures.target }, {}, locale)}
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

/**
 * One KPI: label and status dot, the figure, the change badge and what it is against, the target
 * bar and the sparkline. The label is the card's button (Tab reaches it; Enter and Space press
 * it), named by the whole card in one sentence ({@link kpiSentence}), which begins with the
 * label as it reads; a click anywhere on the card presses it too.
 */
export function kpiView(kpi: KpiResult, options: KpiViewOptions): TemplateResult {
  const { locale, labelPart } = options;
  const figures = formatKpiFigures(kpi, locale);
  const badge = changeBadge(kpi, figures);
  const against = badge === null ? null : (comparisonLabel(kpi.range, kpi.previousRange, locale) ?? message('vsPrevious', locale));
  const status = kpi.status === null ? null : statusWord(kpi.status, locale);
  return html`<div class="kpi" part="kpi" data-id=${kpi.id} data-status=${kpi.status ?? nothing} @click=${() => options.activate(kpi)}>
    <div class="head">
      <button type="button" part=${labelPart} aria-label=${kpiSentence(kpi, figures, locale)}>${kpi.label}</button>
      ${status === null
        ? nothing
        : html`<span part="status-dot" role="img" aria-label=${fill(message('kpiStatus', locale), { status })} title=${status} style=${styleProps({ '--_fk-kpi-status': statusColor(kpi) })}></span>`}
    </div>
    <div class="figure">
      <span part="value" title=${noteReason(kpi, locale) ?? nothing}>${kpi.value === null ? '—' : figures.value}</span>
      ${badge === null
        ? html`<span part="change" data-tone="none">${message('noComparison', locale)}</span>`
        : html`<span part="change" data-tone=${kpi.tone} data-class=${kpi.deltaClass ?? nothing}
            >${badge.arrow ? html`<span aria-hidden="true">${badge.arrow} </span>` : nothing}${badge.figure}</span
          >`}
    </div>
    ${against === null
      ? nothing
      : html`<div part="comparison">${figures.previous === null ? against : withFigures('comparedWith', { previous: figures.previous }, { against }, locale)}</div>`}
    ${targetBar(kpi, figures, locale)}
    ${kpi.sparkline.length > 1 ? html`<div part="chart">${sparkline(kpi.sparkline.map((p) => p.value))}</div>` : nothing}
  </div>`;
}

/**
 * While a first card loads: its label, figure, comparison and sparkline rows as placeholders of
 * the same heights, so the card does not grow when the figures arrive.
 */
export function kpiSkeleton(): TemplateResult {
  return html`<div class="kpi skeleton" part="skeleton" aria-hidden="true">
    <div class="head"><span class="sk-label">&nbsp;</span></div>
    <div class="figure"><span class="sk-value">&nbsp;</span></div>
    <div class="sk-comparison">&nbsp;</div>
    <div class="sk-chart"></div>
  </div>`;
}

/** One KPI's words as {@link kpiView} shows them, for the exported SVG. */
export function kpiFigures(kpi: KpiResult, locale: string): KpiCardFigures {
  const figures = formatKpiFigures(kpi, locale);
  const badge = changeBadge(kpi, figures);
  const against = badge === null ? null : (comparisonLabel(kpi.range, kpi.previousRange, locale) ?? message('vsPrevious', locale));
  return {
    label: kpi.label,
    value: kpi.value === null ? '—' : figures.value,
    change: badge === null ? message('noComparison', locale) : `${badge.arrow ? `${badge.arrow} ` : ''}${badge.figure}`,
    tone: badge === null ? 'none' : kpi.tone,
    comparison: against === null ? null : figures.previous === null ? against : fill(message('comparedWith', locale), { previous: figures.previous, against }),
    sparkline: kpi.sparkline.length > 1 ? kpi.sparkline.map((p) => p.value) : [],
  };
}

/**
 * What `<kpi-card>` and `<kpi-grid>` share: the kind, no Vega spec, the card styles, and the
 * card template wired to `kpi-click`.
 *
 * @fires {CustomEvent<KpiClickDetail>} kpi-click - A card was clicked, or activated with Enter or Space; detail: `{ id, value, period }` (period: the range in force, epoch ms, half-open).
 *
 * @csspart kpi - One KPI card; a click anywhere on it fires `kpi-click`.
 * @csspart title - In `<kpi-card>`: the KPI's label, the card's button, named by the whole card in one sentence.
 * @csspart value - The figure ("—" when there is none, the reason in its tooltip).
 * @csspart change - The change badge (`data-tone`: `good`, `bad`, `neutral`, or `none` for "no comparison"; `data-class`: the delta class).
 * @csspart comparison - What the change is against ("vs previous 30 days") and the previous figure.
 * @csspart target - The target progress line and bar.
 * @csspart status-dot - The threshold status, in the status colour.
 * @csspart chart - The sparkline's box.
 *
 * @cssprop [--fk-height=44px] - Height of the sparkline on KPI cards.
 */
export abstract class KpiElement extends FunnelKitElement<KpiContract, KpiViewModel> {
  static override styles = [...FunnelKitElement.styles, kpiStyles];

  protected readonly kind = 'kpi' as const;

  /** No Vega chart: the card draws its sparkline itself. */
  protected buildSpec(): null {
    return null;
  }

  /** The KPIs shown: every one (`<kpi-card>` shows the one it picks). */
  protected shownKpis(vm: KpiViewModel): KpiResult[] {
    return vm.kpis;
  }

  /** The cards as one SVG: label, figure, change and comparison as text, the sparkline as polylines. */
  protected override async drawnSVG(vm: KpiViewModel): Promise<string> {
    const locale = this.effectiveLocale;
    const style = getComputedStyle(this);
    const token = (name: string, fallback: string) => style.getPropertyValue(`--_fk-${name}`).trim() || fallback;
    const t = LIGHT_TOKENS;
    const theme = {
      background: token('color-background', t.background),
      text: token('color-text', t.text),
      muted: token('color-muted', t.muted),
      grid: token('color-grid', t.grid),
      accent: token('color-accent', t.accent),
      good: token('color-success', t.success),
      bad: token('color-alert', t.alert),
      font: token('font-family', t.font),
    };
    return kpiSvg(this.shownKpis(vm).map((kpi) => kpiFigures(kpi, locale)), theme, this.heading());
  }

  protected renderKpi(kpi: KpiResult, labelPart: KpiViewOptions['labelPart']): TemplateResult {
    return kpiView(kpi, {
      locale: this.effectiveLocale,
      labelPart,
      activate: (k) => emit<KpiClickDetail>(this, 'kpi-click', { id: k.id, value: k.value, period: k.range }),
    });
  }
}

declare global {
  interface HTMLElementEventMap {
    'kpi-click': CustomEvent<KpiClickDetail>;
  }
}
