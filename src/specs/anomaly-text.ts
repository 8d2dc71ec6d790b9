/**
 * `<anomaly-chart>` in words: the summary sentence a screen reader hears first ("2 alerts in
 * range; Day-over-day drop: Lead conversion dropped 14% on Mar 6, now normal"), the recent alerts
 * as lines, the table of every point with each rule's state, a point's accessible name, and
 * which rules changed state between two renders. Pure: view model and locale in, text out.
 * @module
 */
import type { AlertInterval, AnomalyViewModel, RuleState } from '../analytics/anomaly/view-model.js';
import { pointTip, ruleText } from './anomaly-data.js';
import { fill, formatPeriod, formatRuleChange, formatValue, isSplit, nowLabel, seriesName, severityLabel, spansYears } from './anomaly-format.js';
import { formatNumber } from './format.js';
import { message } from './messages.js';

/** "2 alerts in range; Day-over-day drop: Lead conversion dropped 14% on Mar 6, now normal". */
export function summarySentence(vm: AnomalyViewModel, title: string | undefined, locale: string): string {
  const n = vm.alerts.length;
  const count = n === 0 ? message('alertsNone', locale) : n === 1 ? message('alertsOne', locale) : fill(message('alertsMany', locale), { n: formatNumber(n, locale) });
  const latest = vm.alerts[0];
  const join = message('sentenceJoin', locale);
  if (!latest) return `${count}${join}${nowLabel(vm.state, locale)}`;
  const si = vm.series.findIndex((s) => s.key === latest.series);
  const r = vm.rules.findIndex((rule) => rule.id === latest.rule);
  const series = vm.series[si];
  const rule = vm.rules[r];
  const metric = isSplit(vm) ? `${title ?? message('value', locale)} (${seriesName(vm, series, locale)})` : (title ?? message('value', locale));
  const date = formatPeriod(latest.peak.period, locale, spansYears(vm));
  const change = series.points.find((p) => p.period === latest.peak.period)?.rules[r]?.change ?? null;
  let event: string;
  if (rule.type === 'change' && change !== null) {
    const amount = formatRuleChange(Math.abs(change), rule.unit, vm.format, locale, false);
    event = fill(message(change < 0 ? 'metricDropped' : 'metricRose', locale), { metric, amount, date });
  } else if (latest.peak.value === null) {
    event = fill(message('metricNoData', locale), { metric, date });
  } else {
    event = fill(message('metricWas', locale), { metric, value: formatValue(latest.peak.value, vm.format, locale), date });
  }
  return `${count}${join}${rule.name}${message('nameJoin', locale)}${event}${message('clauseJoin', locale)}${nowLabel(series.now[r].state, locale)}`;
}

export interface AlertLine {
  name: string;
  /** The series' name when split, else null. */
  series: string | null;
  severity: string;
  /** `Mar 6 → Mar 8`, `Mar 6 → ongoing`, or `Mar 6` for one period. */
  range: string;
  /** `peak 11.2%`. */
  peak: string;
}

/** An alert of the recent list, in words. */
export function alertLine(vm: AnomalyViewModel, alert: AlertInterval, locale: string): AlertLine {
  const year = spansYears(vm);
  const series = vm.series.find((s) => s.key === alert.series);
  const start = formatPeriod(alert.start, locale, year);
  const range = alert.end === alert.start ? start : `${start} → ${alert.end === null ? message('ongoing', locale) : formatPeriod(alert.end, locale, year)}`;
  return {
    name: alert.name,
    series: isSplit(vm) && series ? seriesName(vm, series, locale) : null,
    severity: severityLabel(alert.severity, locale),
    range,
    peak: `${message('peak', locale)} ${formatValue(alert.peak.value, vm.format, locale)}`,
  };
}

/** The accessible name of every point, by series: "Mar 6: Value 10.8%, Day-over-day drop Alerting · Critical · -14%". */
export function pointLabels(vm: AnomalyViewModel, locale: string): string[][] {
  const names = vm.series.map((s) => seriesName(vm, s, locale));
  const year = spansYears(vm);
  return vm.series.map((s, si) =>
    s.points.map((_, pi) => {
      const { title, ...rest } = pointTip(vm, si, pi, names, locale, year);
      return `${title}: ${Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(', ')}`;
    }),
  );
}

/** Every point: period, series (when split), value, then each rule's state (and change), in the unit. */
export function anomalyTable(vm: AnomalyViewModel, locale: string): { columns: string[]; rows: string[][] } {
  const split = isSplit(vm);
  const year = spansYears(vm);
  return {
    columns: [message('period', locale), ...(split ? [message('series', locale)] : []), message('value', locale), ...vm.rules.map((r) => r.name)],
    rows: vm.series.flatMap((s) =>
      s.points.map((p) => [
        formatPeriod(p.period, locale, year),
        ...(split ? [seriesName(vm, s, locale)] : []),
        formatValue(p.value, vm.format, locale),
        ...vm.rules.map((rule, r) => ruleText(p.rules[r], rule, vm, locale)),
      ]),
    ),
  };
}

export interface RuleStateChange {
  rule: string;
  name: string;
  series: string;
  state: RuleState;
  previous: RuleState | null;
}

/** Each rule's state now, per series: `series \u0000 rule` → state. */
export function ruleStatesNow(vm: AnomalyViewModel): Map<string, RuleState> {
  return new Map(vm.series.flatMap((s) => s.now.map((n) => [`${s.key}\u0000${n.rule}`, n.state] as const)));
}

/**
 * The rules whose state now differs from `previous` (null: the first render); a rule without a
 * previous state counts as changed unless it is `normal`.
 */
export function stateChanges(vm: AnomalyViewModel, previous: ReadonlyMap<string, RuleState> | null): RuleStateChange[] {
  const names = new Map(vm.rules.map((r) => [r.id, r.name]));
  return vm.series.flatMap((s) =>
    s.now.flatMap((n) => {
      const before = previous?.get(`${s.key}\u0000${n.rule}`) ?? null;
      // A rule or series seen for the first time changed only if it is not normal.
      const changed = before === null ? n.state !== 'normal' : before !== n.state;
      return changed ? [{ rule: n.rule, name: names.get(n.rule) ?? n.rule, series: s.key, state: n.state, previous: before }] : [];
    }),
  );
}
