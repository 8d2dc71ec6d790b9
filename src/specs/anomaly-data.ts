/**
 * `<anomaly-chart>` datasets, pure: every series point placed on the time axis (wall-clock ms
 * of its period, as the specs' `utc` scales draw them), with its tooltip and worst breach; the
 * baseline bands, threshold lines and shaded steps, and the alert intervals. Null values stay
 * null: the marks break at them and no bar is drawn.
 * @module
 */
import type { AlertSeverity, AnomalyRuleView, AnomalyViewModel, RuleEvaluation } from '../analytics/anomaly/view-model.js';
import { wallTime } from './format.js';
import { formatPeriod, formatRuleChange, formatValue, isSplit, periodEnd, seriesName, spansYears, stateLabel } from './anomaly-format.js';
import { seriesKey } from './group-names.js';
import { message } from './messages.js';
import type { SpecContext } from './spec-context.js';

export type AnomalyStyle = AnomalyViewModel['display']['style'];
export type AnomalyThresholds = AnomalyViewModel['display']['thresholds'];
export type AnomalyLayout = AnomalyViewModel['display']['layout'];

export interface PointRow {
  /** Series key (`g0`…) and index, point index: what a click reports. */
  s: string;
  si: number;
  pi: number;
  /** Where the point is drawn (wall-clock ms); bars span x0–x1. */
  t: number;
  x0: number;
  x1: number;
  value: number | null;
  color: string;
  /** Worst severity of the rules it breaches, and its colour; null when clean. */
  severity: AlertSeverity | null;
  mark: string | null;
  /** A value with no value either side: the line cannot show it, a dot does. */
  isolated: boolean;
  tip: Record<string, string>;
}

export interface BandRow {
  s: string;
  rule: string;
  t: number;
  lower: number | null;
  upper: number | null;
  expected: number | null;
  color: string;
}

/** A threshold line: a step's lower edge or a bound's value (`s` `*`: on every series). */
export interface LineRow {
  s: string;
  y: number;
  color: string;
}

/** A shaded band of values: a threshold step, or the breaching side of a bound. */
export interface AreaRow {
  s: string;
  y0: number;
  y1: number;
  color: string;
}

export interface IntervalRow {
  s: string;
  x0: number;
  x1: number;
  /** Where its label starts: its first period. */
  lx: number;
  /** Whether the label ends at `lx` (near the right edge) rather than starting there. */
  right: boolean;
  color: string;
  label: string;
  /** Label row, by rule, so labels of overlapping intervals do not overprint. */
  row: number;
  tip: Record<string, string>;
}

export interface AnomalyData {
  points: PointRow[];
  bands: BandRow[];
  lines: LineRow[];
  areas: AreaRow[];
  intervals: IntervalRow[];
  xDomain: [number, number];
  /** Series names, by index. */
  names: string[];
  colors: string[];
}

const DAY = 86_400_000;

/**
 * The datasets the rules call for, whatever the data: the spec's shape then stays the same while
 * only the data changes, and the element updates the view's datasets instead of embedding anew.
 */
export interface AnomalySets {
  bands: boolean;
  lines: boolean;
  areas: boolean;
  intervals: boolean;
}

export function anomalySets(vm: AnomalyViewModel): AnomalySets {
  const mode = vm.display.thresholds;
  const thresholds = mode !== 'off' && vm.rules.some((r) => r.type === 'threshold');
  return {
    bands: vm.rules.some((r) => r.type === 'band'),
    lines: thresholds && (mode === 'line' || mode.startsWith('dashed') || mode === 'line+area'),
    areas: thresholds && mode.endsWith('area'),
    intervals: vm.rules.length > 0,
  };
}

/** A rule's verdict on a point, in words: `Alerting · Critical · −14%`. */
export function ruleText(e: RuleEvaluation, rule: AnomalyRuleView, vm: AnomalyViewModel, locale: string): string {
  const severity = e.state === 'alerting' ? (e.severity ?? rule.severityNow ?? rule.severity) : null;
  const parts = [stateLabel(e.state, severity, locale)];
  if (rule.type === 'change' && e.change !== null) parts.push(formatRuleChange(e.change, rule.unit, vm.format, locale));
  return parts.join(' · ');
}

/** The tooltip of a point: its period, series, value, baseline and every rule's verdict. */
export function pointTip(vm: AnomalyViewModel, si: number, pi: number, names: string[], locale: string, year: boolean): Record<string, string> {
  const p = vm.series[si].points[pi];
  const tip: Record<string, string> = { title: formatPeriod(p.period, locale, year) };
  const put = (key: string, value: string, id: string) => (tip[key in tip ? `${key} (${id})` : key] = value);
  if (isSplit(vm)) put(message('series', locale), names[si], 'series');
  put(message('value', locale), formatValue(p.value, vm.format, locale), 'value');
  const bands = vm.rules.filter((r) => r.type === 'band');
  vm.rules.forEach((rule, r) => {
    const e = p.rules[r];
    if (rule.type === 'band' && e.expected !== null) {
      const prefix = bands.length > 1 ? `${rule.name}: ` : '';
      put(`${prefix}${message('expected', locale)}`, formatValue(e.expected, vm.format, locale), `${rule.id}-expected`);
      put(`${prefix}${message('band', locale)}`, `${formatValue(e.lower, vm.format, locale)} – ${formatValue(e.upper, vm.format, locale)}`, `${rule.id}-band`);
    }
  });
  vm.rules.forEach((rule, r) => put(rule.name, ruleText(p.rules[r], rule, vm, locale), rule.id));
  return tip;
}

/** The smallest gap between two periods of a series (a day when there is none). */
function periodStep(walls: number[][]): number {
  let step = Infinity;
  for (const w of walls) for (let i = 1; i < w.length; i++) if (w[i] > w[i - 1]) step = Math.min(step, w[i] - w[i - 1]);
  return Number.isFinite(step) ? step : DAY;
}

const severityColor = (severity: AlertSeverity | null, ctx: SpecContext) => (severity === 'critical' ? ctx.tokens.alert : severity === 'warning' ? ctx.tokens.warning : null);

export function anomalyData(vm: AnomalyViewModel, ctx: SpecContext, layout: AnomalyLayout): AnomalyData {
  const { locale, tokens } = ctx;
  const style = vm.display.style;
  const names = vm.series.map((s) => seriesName(vm, s, locale));
  // One series in the accent colour; several in the categorical palette.
  const colors = vm.series.length === 1 ? [tokens.accent] : vm.series.map((_, i) => tokens.series[i % tokens.series.length] ?? tokens.accent);
  const walls = vm.series.map((s) => s.points.map((p) => wallTime(p.period)));
  const step = periodStep(walls);
  const ends = walls.map((w) => w.map((t) => periodEnd(t, vm.grain, step)));
  const year = spansYears(vm);
  // Bars share their period between the series drawn over each other.
  const slots = style === 'bars' && layout === 'overlay' ? vm.series.length : 1;
  const points = vm.series.flatMap((s, si) =>
    s.points.map((p, pi): PointRow => {
      const [start, end] = [walls[si][pi], ends[si][pi]];
      const slot = slots > 1 ? si : 0;
      const x0 = start + (end - start) * (0.1 + (0.8 * slot) / slots);
      const x1 = x0 + ((end - start) * 0.8) / slots;
      const severity = p.rules.reduce<AlertSeverity | null>((worst, e) => (e.breach && (worst === null || e.severity === 'critical') ? e.severity : worst), null);
      const near = (i: number) => s.points[i]?.value ?? null;
      return {
        s: seriesKey(si),
        si,
        pi,
        t: style === 'bars' ? (x0 + x1) / 2 : start,
        x0,
        x1,
        value: p.value,
        color: colors[si],
        severity,
        mark: severityColor(severity, ctx),
        isolated: p.value !== null && near(pi - 1) === null && near(pi + 1) === null,
        tip: pointTip(vm, si, pi, names, locale, year),
      };
    }),
  );
  const first = Math.min(...walls.map((w) => w[0] ?? Infinity));
  const last = Math.max(...walls.map((w, si) => (style === 'bars' ? ends[si][w.length - 1] : w[w.length - 1]) ?? -Infinity));
  const xDomain: [number, number] = Number.isFinite(first) && last > first ? [first, last] : [(first || 0) - step / 2, (first || 0) + step / 2];
  return { points, names, colors, xDomain, ...ruleMarks(vm, ctx, colors), intervals: intervals(vm, ctx, walls, ends, step, xDomain, names, year) };
}

/** Baseline bands, threshold lines and shaded steps, per the display's `thresholds`. */
function ruleMarks(vm: AnomalyViewModel, ctx: SpecContext, colors: string[]): Pick<AnomalyData, 'bands' | 'lines' | 'areas'> {
  const mode = vm.display.thresholds;
  const { lines: drawLines, areas: drawAreas } = anomalySets(vm);
  const bands: BandRow[] = [];
  const lines: LineRow[] = [];
  const areas: AreaRow[] = [];
  vm.rules.forEach((rule, r) => {
    if (rule.type === 'band') {
      vm.series.forEach((s, si) =>
        s.points.forEach((p) => {
          const e = p.rules[r];
          bands.push({ s: seriesKey(si), rule: rule.id, t: wallTime(p.period), lower: e.lower, upper: e.upper, expected: e.expected, color: colors[si] });
        }),
      );
    } else if (rule.type === 'threshold' && rule.bound && mode !== 'off') {
      const color = severityColor(rule.severity, ctx)!;
      const b = rule.bound;
      const edges = 'value' in b ? [b.value] : [b.low, b.high];
      if (drawLines) for (const y of edges) lines.push({ s: '*', y, color });
      if (drawAreas) {
        let sides: Array<[number, number]>;
        if ('value' in b) sides = b.op === '>' || b.op === '>=' ? [[b.value, Infinity]] : [[-Infinity, b.value]];
        else sides = b.op === 'within' ? [[b.low, b.high]] : [[-Infinity, b.low], [b.high, Infinity]];
        for (const [y0, y1] of sides) areas.push({ s: '*', y0, y1, color });
      }
    } else if (rule.type === 'threshold' && rule.steps && mode !== 'off') {
      // Absolute steps are the same on every series; percentage steps sit on each series' range.
      const per = rule.mode === 'percentage' ? vm.series.map((s, si) => [seriesKey(si), s] as const) : vm.series.slice(0, 1).map((s) => ['*', s] as const);
      for (const [key, s] of per) {
        for (const band of s.steps.filter((b) => b.rule === rule.id)) {
          if (drawLines && band.from !== null) lines.push({ s: key, y: band.from, color: band.color });
          if (drawAreas) areas.push({ s: key, y0: band.from ?? -Infinity, y1: band.to ?? Infinity, color: band.color });
        }
      }
    }
  });
  return { bands, lines, areas };
}

/** The alert intervals on the time axis: bars' periods, or half a period either side of a line's points; open ones to the right edge. */
function intervals(vm: AnomalyViewModel, ctx: SpecContext, walls: number[][], ends: number[][], step: number, xDomain: [number, number], names: string[], year: boolean): IntervalRow[] {
  const { locale } = ctx;
  const bars = vm.display.style === 'bars';
  return vm.alerts.flatMap((a) => {
    const si = vm.series.findIndex((s) => s.key === a.series);
    if (si < 0) return [];
    const at = (period: string) => vm.series[si].points.findIndex((p) => p.period === period);
    const i = at(a.start);
    const j = a.end === null ? vm.series[si].points.length - 1 : at(a.end);
    if (i < 0 || j < 0) return [];
    const x0 = bars ? walls[si][i] : walls[si][i] - step / 2;
    const x1 = a.end === null ? xDomain[1] + (bars ? 0 : step / 2) : bars ? ends[si][j] : walls[si][j] + step / 2;
    const split = isSplit(vm);
    const tip: Record<string, string> = { title: split ? `${a.name} · ${names[si]}` : a.name };
    tip[message('alert', locale)] = stateLabel('alerting', a.severity, locale);
    tip[message('period', locale)] = `${formatPeriod(a.start, locale, year)} → ${a.end === null ? message('ongoing', locale) : formatPeriod(a.end, locale, year)}`;
    tip[message('peak', locale)] = formatValue(a.peak.value, vm.format, locale);
    // A label starting in the right third would run off the chart: it ends at the interval's end instead.
    const right = walls[si][i] > xDomain[0] + ((xDomain[1] - xDomain[0]) * 2) / 3;
    return [{ s: seriesKey(si), x0, x1, lx: right ? Math.min(x1, xDomain[1]) : walls[si][i], right, color: severityColor(a.severity, ctx)!, label: a.name, row: Math.max(0, vm.rules.findIndex((r) => r.id === a.rule)), tip }];
  });
}
