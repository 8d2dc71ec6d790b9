import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { View } from 'vega';
import type { CohortContract, CohortRow, CohortViewModel } from '../analytics/index.js';
import {
  ALL_GROUPS,
  buildCohortSpec,
  cellText,
  cohortColumns,
  colorTop,
  drawnCells,
  meanCells,
  meanLabel,
  selectCohorts,
  type CohortDisplay,
  type CohortMetric,
  type CohortSelection,
  type CohortView,
} from '../specs/cohort-spec.js';
import { formatNumber, formatPercent } from '../specs/format.js';
import { groupName } from '../specs/group-names.js';
import { message, offsetLabel } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { cohortChartStyles } from './cohort-chart.styles.js';
import { emitWithFetchedIds, idList } from './drill-down.js';
import { emit } from './emit.js';
import type { DataTableModel } from './funnelkit-element.js';
import { VegaElement } from './vega-element.js';
import { focusAfterUpdate, gridMove, markButton, type GridPosition, type MarkBox } from './roving-focus.js';

/** Detail of `cohort-cell-click`. */
export interface CohortCellClickDetail {
  /** The cohort's first day (`2026-01-05`, `2026-01-05T09:00` for hours). */
  cohort: string;
  /** Epoch ms of the cohort period's start. */
  start: number;
  /** Periods since the cohort's (0: the cohort period). */
  period: number;
  count: number;
  rate: number;
  ratePrevious: number | null;
  incomplete: boolean;
  /** The breakdown value of the cohorts shown; null without a breakdown or for all groups. */
  group: string | null;
  /**
   * Entities behind the count (capped by the contract's `entityLimit`). Pre-aggregated cohorts
   * carry none: they are fetched from the contract's `cohort.entitiesUrl` before the event fires,
   * when it has one (a `funnelkit serve` result), else the list is empty.
   */
  entityIds: string[];
}

/**
 * Retention or repurchase by cohort: entities grouped by the hour, day, week or month they started,
 * and how many came back in each later period (PostHog's retention semantics), as a heatmap
 * triangle or as retention curves, with a size-weighted mean.
 *
 * @summary Cohort retention heatmap and curves.
 * @tagname cohort-chart
 *
 * @attr view - `heatmap` (default: one row per cohort, one column per period, the mean row on top) or `curve` (one retention curve per cohort, the mean emphasised; with a breakdown and no group chosen, one mean curve per group).
 * @attr metric - `cohort` (default: % of the cohort) or `previous` (% of the previous period).
 * @attr display - Cell text: `percent` (default) or `count`.
 * @attr group - With a breakdown: the group shown (a breakdown value), or `*` for every cohort (heatmap) or one mean curve per group (curve). Unset: the first group in the heatmap, the groups compared in the curve.
 *
 * @fires {CustomEvent<CohortCellClickDetail>} cohort-cell-click - A heatmap cell was clicked, or focused and activated with Enter or Space; detail has the cohort, start, period, count, rates, incomplete flag, group and entity ids (for a warehouse result with `cohort.entitiesUrl`, fetched from it first; if that fails, `funnelkit-error` at `/cohort/entitiesUrl`, then the event without them).
 *
 * @csspart toolbar - The row above the chart: the group picker and the legend.
 * @csspart group-label - The label around the group picker.
 * @csspart group-select - The group picker (shown with a breakdown).
 * @csspart legend - The colour scale (heatmap) or the line key (curve).
 * @csspart cells - The layer of cell buttons over the heatmap.
 * @csspart cell - One heatmap cell's button: it takes focus (arrow keys move, Home and End go to the row's ends).
 */
export class CohortChart extends VegaElement<CohortContract, CohortViewModel> {
  static override styles = [...VegaElement.styles, cohortChartStyles];

  @property({ reflect: true }) view: CohortView = 'heatmap';

  @property({ reflect: true }) metric: CohortMetric = 'cohort';

  @property({ reflect: true }) display: CohortDisplay = 'percent';

  /** Unset (or the attribute removed): the view's default. */
  @property({ reflect: true }) group?: string | null;

  /** Where each cohort's cell buttons sit over the heatmap, from the view's band scales. */
  @state() private cellBoxes: MarkBox[][] = [];

  /** The cell that takes Tab focus (roving tabindex): a cohort row and period. */
  @state() private focusAt: GridPosition = { row: 0, column: 0 };

  protected readonly kind = 'cohort' as const;

  protected isEmpty(vm: CohortViewModel): boolean {
    return vm.cohorts.every((c) => c.size === 0);
  }

  private selection(vm: CohortViewModel): CohortSelection {
    return selectCohorts(vm, this.view, this.group);
  }

  protected buildSpec(vm: CohortViewModel, context: SpecContext) {
    return buildCohortSpec(vm, context, { view: this.view, metric: this.metric, display: this.display, group: this.group, format: this.shownContract?.format });
  }

  /** A row of about 20 px per cohort (and the mean) keeps 52 weekly cohorts legible. */
  protected override chartMinHeight(vm: CohortViewModel): number {
    return this.view === 'heatmap' ? (this.selection(vm).cohorts.length + 1) * 20 + 30 : 0;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed as never);
    if (changed.has('view') || changed.has('group')) this.cellBoxes = [];
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed as never);
    if (['view', 'metric', 'display', 'group'].some((p) => changed.has(p))) this.requestRedraw();
  }

  protected override viewUpdated(view: View, mode: 'embed' | 'update'): void {
    if (mode === 'embed') {
      view.addEventListener('click', (_event, item) => {
        const datum = (item as { datum?: { kind?: string; row?: number; period?: number } } | null)?.datum;
        if (datum?.kind === 'cell' && typeof datum.row === 'number' && typeof datum.period === 'number') this.fireCellClick(datum.row, datum.period);
      });
    }
    const vm = this.viewModel;
    const selection = vm ? this.selection(vm) : null;
    this.cellBoxes = vm && selection && this.view === 'heatmap' ? this.placeCells(view, vm, selection) : [];
    const lengths = this.cellBoxes.map((r) => r.length);
    if ((lengths[this.focusAt.row] ?? 0) <= this.focusAt.column) this.focusAt = { row: Math.max(0, lengths.findIndex((n) => n > 0)), column: 0 };
  }

  /** Positions the cell buttons on the band scales Vega laid out. */
  private placeCells(view: View, vm: CohortViewModel, selection: CohortSelection): MarkBox[][] {
    type Band = ((value: string) => number | undefined) & { bandwidth?: () => number };
    let x: Band;
    let y: Band;
    try {
      x = view.scale('x') as Band;
      y = view.scale('y') as Band;
    } catch {
      return [];
    }
    if (!x?.bandwidth || !y?.bandwidth) return [];
    const padding = view.padding() as { left: number; top: number };
    const ox = view.origin()[0] + padding.left;
    const oy = view.origin()[1] + padding.top;
    const columns = cohortColumns(vm, this.effectiveLocale);
    return selection.cohorts.map((c) =>
      drawnCells(c).map((cell) => ({ left: ox + (x(columns[cell.period + 1]) ?? 0), top: oy + (y(c.cohort) ?? 0), width: x.bandwidth!(), height: y.bandwidth!() })),
    );
  }

  protected override renderSummary(vm: CohortViewModel): TemplateResult {
    const locale = this.effectiveLocale;
    const selection = this.selection(vm);
    const groups = vm.breakdown?.length ? vm.breakdown : null;
    const chosen = selection.compare || selection.group === null ? ALL_GROUPS : selection.group;
    return html`<div part="toolbar">
      ${groups
        ? html`<label part="group-label"
            >${message('group', locale)}
            <select part="group-select" @change=${(e: Event) => (this.group = (e.target as HTMLSelectElement).value)}>
              <option value=${ALL_GROUPS} ?selected=${chosen === ALL_GROUPS}>${message('allGroups', locale)}</option>
              ${groups.map((g) => html`<option value=${g.value} ?selected=${chosen === g.value}>${groupName(g.value, true, locale)}</option>`)}
            </select></label
          >`
        : nothing}
      ${this.view === 'heatmap' ? this.renderScale(selection, locale) : selection.compare ? nothing : this.renderLineKey(locale)}
    </div>`;
  }

  /** The colour scale: what the colour means, 0 to its top, and the incomplete swatch. */
  private renderScale(selection: CohortSelection, locale: string): TemplateResult {
    const top = colorTop(selection, this.metric);
    const digits = top < 0.1 ? 1 : 0;
    const incomplete = selection.cohorts.some((c) => drawnCells(c).some((cell) => cell.incomplete));
    return html`<div part="legend" aria-hidden="true">
      <span>${message(this.metric === 'previous' ? 'ofPrevious' : 'ofCohort', locale)}</span>
      <span class="ramp"
        ><span class="bar"></span><span class="tick">${formatPercent(0, locale)}</span><span class="tick mid">${formatPercent(top / 2, locale, digits)}</span
        ><span class="tick end">${this.metric === 'cohort' && top < 1 ? '≥' : ''}${formatPercent(top, locale, digits)}</span></span
      >
      ${incomplete ? html`<span class="key"><span class="swatch incomplete"></span>${message('incomplete', locale)}</span>` : nothing}
    </div>`;
  }

  private renderLineKey(locale: string): TemplateResult {
    return html`<div part="legend" aria-hidden="true">
      <span class="key"><span class="swatch line mean"></span>${message('mean', locale)}</span>
      <span class="key"><span class="swatch line"></span>${message('cohorts', locale)}</span>
    </div>`;
  }

  protected override renderOverlay(vm: CohortViewModel): TemplateResult | typeof nothing {
    const selection = this.selection(vm);
    if (this.view !== 'heatmap' || this.cellBoxes.length !== selection.cohorts.length) return nothing;
    const locale = this.effectiveLocale;
    const options = { metric: this.metric, display: this.display, format: this.shownContract?.format };
    return html`<div part="cells" class="mark-buttons" role="group" aria-label=${message('cohortCells', locale)}>
      ${selection.cohorts.map((c, row) =>
        drawnCells(c).map((cell, column) => {
          const box = this.cellBoxes[row][column];
          if (!box) return nothing;
          return markButton({
            part: 'cell',
            box,
            row,
            column,
            focused: row === this.focusAt.row && column === this.focusAt.column,
            name: `${c.cohort}, ${offsetLabel(vm.period, cell.period, locale)}: ${cellText(cell, options, vm.measure, locale)}${cell.incomplete ? ` (${message('incomplete', locale)})` : ''}`,
            click: () => this.fireCellClick(row, cell.period),
            keydown: (e) => this.onCellKey(e, row, column, selection.cohorts),
          });
        }),
      )}
    </div>`;
  }

  /** Arrow keys move across periods (left, right) and cohorts (up, down); Home and End to the row's ends. */
  private onCellKey(event: KeyboardEvent, row: number, column: number, cohorts: CohortRow[]): void {
    const next = gridMove(event, { row, column }, cohorts.map((c) => drawnCells(c).length));
    if (!next) return;
    event.preventDefault();
    this.focusAt = next;
    focusAfterUpdate(this, `[part="cell"][data-row="${next.row}"][data-column="${next.column}"]`);
  }

  private fireCellClick(row: number, period: number): void {
    const vm = this.viewModel;
    if (!vm) return;
    const selection = this.selection(vm);
    const cohort = selection.cohorts[row];
    const cell = cohort?.cells[period];
    if (!cell) return;
    const detail: CohortCellClickDetail = {
      cohort: cohort.cohort,
      start: cohort.start,
      period: cell.period,
      count: cell.count,
      rate: cell.rate,
      ratePrevious: cell.ratePrevious,
      incomplete: cell.incomplete,
      group: selection.group,
      entityIds: cell.entityIds ?? [],
    };
    // A warehouse result carries counts only: the cell's ids are fetched now, from where it says
    // (`{ ids }` from `GET <entitiesUrl>?cohort=&period=&group=`; only strings are kept).
    const url = this.shownContract?.cohort.entitiesUrl;
    if (url && cell.entityIds === undefined) {
      const request = { url, params: { cohort: detail.cohort, period: String(detail.period), group: detail.group }, path: '/cohort/entitiesUrl' };
      emitWithFetchedIds(this, 'cohort-cell-click', detail, request, (answer) => ({ entityIds: idList(answer.ids) }));
      return;
    }
    emit<CohortCellClickDetail>(this, 'cohort-cell-click', detail);
  }

  protected describe(vm: CohortViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    const selection = this.selection(vm);
    const options = { metric: this.metric, display: this.display, format: this.shownContract?.format };
    const periods = cohortColumns(vm, locale).slice(1);
    const text = (cell: Parameters<typeof cellText>[0] & { incomplete?: boolean }) =>
      `${cellText(cell, options, vm.measure, locale)}${cell.incomplete ? ` (${message('incomplete', locale)})` : ''}`;
    const rowCells = (cells: Array<Parameters<typeof text>[0] & { period: number }>) => periods.map((_, k) => {
      const cell = cells.find((c) => c.period === k);
      return cell ? text(cell) : '';
    });
    if (selection.compare) {
      return {
        columns: [message('group', locale), ...periods],
        rows: vm.breakdown!.map((g) => [`${groupName(g.value, true, locale)} · ${meanLabel(locale)}`, ...rowCells(meanCells(g.mean))]),
      };
    }
    return {
      columns: [message('cohort', locale), message('size', locale), ...periods],
      rows: [
        [meanLabel(locale), formatNumber(selection.cohorts.reduce((n, c) => n + c.size, 0), locale), ...rowCells(meanCells(selection.mean))],
        ...selection.cohorts.map((c) => [c.cohort, formatNumber(c.size, locale), ...rowCells(drawnCells(c))]),
      ],
    };
  }
}

declare global {
  interface HTMLElementEventMap {
    'cohort-cell-click': CustomEvent<CohortCellClickDetail>;
  }
}
