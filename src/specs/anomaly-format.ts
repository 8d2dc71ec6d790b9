/**
 * `<anomaly-chart>` units and words: values in the measure's unit (`14%`, `¥1,200`, `1.2万`)
 * through `Intl`, the matching d3 formats for the value axis (with the contract currency's symbol
 * for the view's locale), period labels, rule states and series names.
 * @module
 */
import type { AnomalyGrain } from '../analytics/contract.js';
import type { AlertSeverity, AnomalySeries, AnomalyViewModel, RuleState } from '../analytics/anomaly/view-model.js';
import { groupName } from './group-names.js';
import { message, type MessageKey } from './messages.js';
import { numberFormat, vegaLocale, wallTime, type VegaLocale } from './format.js';

export type AnomalyFormat = AnomalyViewModel['format'];

/** Intl options for a value in the unit (`signed`: `+5%`, `−14%`). */
function unitOptions(value: number, format: AnomalyFormat, signed: boolean): Intl.NumberFormatOptions {
  const digits = format.maximumFractionDigits;
  const sign: Intl.NumberFormatOptions = signed ? { signDisplay: 'exceptZero' } : {};
  const small = Math.abs(value) < 10;
  switch (format.style) {
    case 'percent':
      return { style: 'percent', maximumFractionDigits: digits ?? 1, ...sign };
    case 'currency':
      return format.currency
        ? { style: 'currency', currency: format.currency, maximumFractionDigits: digits ?? (small ? 2 : 0), minimumFractionDigits: 0, ...sign }
        : { maximumFractionDigits: digits ?? (small ? 2 : 0), ...sign };
    case 'compact':
      return { notation: 'compact', maximumFractionDigits: digits ?? 1, ...sign };
    default:
      return { maximumFractionDigits: digits ?? (small ? 2 : 0), ...sign };
  }
}

/** A value in the measure's unit; `–` for no data. */
export function formatValue(value: number | null, format: AnomalyFormat, locale: string): string {
  return value === null ? '–' : numberFormat(locale, unitOptions(value, format, false)).format(value);
}

/**
 * A change rule's change in its unit, signed: percent units are percent (−14 → `−14%`),
 * absolute ones are in the measure's unit.
 */
export function formatRuleChange(change: number, unit: 'percent' | 'absolute', format: AnomalyFormat, locale: string, signed = true): string {
  const options: Intl.NumberFormatOptions =
    unit === 'percent' ? { style: 'percent', maximumFractionDigits: 1, ...(signed ? { signDisplay: 'exceptZero' } : {}) } : unitOptions(change, format, signed);
  return numberFormat(locale, options).format(unit === 'percent' ? change / 100 : change);
}

/** The currency's symbol before and after the digits (`['¥', '']`, `['', ' €']`), as d3's `$` writes it. */
export function currencyAffixes(locale: string, currency: string): [string, string] {
  const parts = numberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).formatToParts(1);
  const at = parts.findIndex((p) => p.type === 'currency');
  const first = parts.findIndex((p) => p.type === 'integer');
  if (at < 0) return ['', ''];
  const literal = (i: number) => (parts[i]?.type === 'literal' ? parts[i].value : '');
  return at < first ? [parts[at].value + literal(at + 1), ''] : ['', literal(at - 1) + parts[at].value];
}

/** Vega's locale for the view: the widget locale's, with the contract currency's symbol for `$`. */
export function anomalyVegaLocale(format: AnomalyFormat, locale: string): VegaLocale {
  const base = vegaLocale(locale);
  if (format.style !== 'currency' || !format.currency) return base;
  return { ...base, number: { ...base.number, currency: currencyAffixes(locale, format.currency) } };
}

/**
 * Value-axis labels in the unit, whatever the data (the spec's shape must not change with it):
 * percent as percent (`14%`, never `0.14`), money with the currency's symbol (d3's `$`, from the
 * view's locale), SI prefixes past a million (past a thousand for compact figures), else grouped
 * digits with as many decimals as the tick needs.
 */
export function valueAxisLabels(format: AnomalyFormat): { format: string } | { labelExpr: string } {
  if (format.style === 'percent') return { format: '.2~%' };
  const $ = format.style === 'currency' && format.currency ? '$' : '';
  const large = format.style === 'compact' ? 1000 : 1_000_000;
  return { labelExpr: `abs(datum.value) >= ${large} ? format(datum.value, '${$}.3~s') : format(datum.value, '${$},.4~f')` };
}

/** Room for value-axis labels by unit, px: the same in every panel, so the plots line up. */
export function valueAxisExtent(format: AnomalyFormat): number {
  return { percent: 44, compact: 40, currency: 60, number: 52 }[format.style];
}

/** Tick labels of the time axis by unit: days always with their month (`Mar 6`, `3月6日`). */
export function anomalyTimeFormat(locale: string): Record<string, string> {
  if (/^(zh|ja)\b/.test(locale)) {
    return { year: '%Y年', quarter: '%-m月', month: '%-m月', week: '%-m月%-d日', date: '%-m月%-d日', hours: '%H:00', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
  }
  if (/^ko\b/.test(locale)) {
    return { year: '%Y년', quarter: '%-m월', month: '%-m월', week: '%-m월 %-d일', date: '%-m월 %-d일', hours: '%H:00', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
  }
  const parts = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).formatToParts(Date.UTC(2001, 2, 6));
  const dayFirst = parts.findIndex((p) => p.type === 'day') < parts.findIndex((p) => p.type === 'month');
  const day = dayFirst ? '%-d %b' : '%b %-d';
  return { year: '%Y', quarter: '%B', month: '%B', week: day, date: day, hours: '%H:%M', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
}

const dateCache = new Map<string, Intl.DateTimeFormat>();

/** A period as people write it: `Mar 6` (`Mar 6, 2026` with `year`), `Mar 2026`, `Mar 6, 09:00`; `3月6日` in zh-CN. */
export function formatPeriod(period: string, locale: string, year = false): string {
  const options: Intl.DateTimeFormatOptions =
    period.length === 7
      ? { month: 'short', year: 'numeric' }
      : { month: 'short', day: 'numeric', ...(year ? { year: 'numeric' } : {}), ...(period.length > 10 ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : {}) };
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateCache.get(key);
  if (!f) dateCache.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' })));
  return f.format(wallTime(period));
}

/** Whether the view model's periods span more than one calendar year (labels then say which). */
export function spansYears(vm: AnomalyViewModel): boolean {
  const years = new Set(vm.series.flatMap((s) => s.points.map((p) => p.period.slice(0, 4))));
  return years.size > 1;
}

const STATE_KEYS: Record<RuleState, MessageKey> = {
  normal: 'stateNormal',
  pending: 'statePending',
  alerting: 'stateAlerting',
  recovering: 'stateRecovering',
  nodata: 'stateNoData',
};
const NOW_KEYS: Record<RuleState, MessageKey> = {
  normal: 'nowNormal',
  pending: 'nowPending',
  alerting: 'nowAlerting',
  recovering: 'nowRecovering',
  nodata: 'nowNoData',
};

/** `Alerting · Critical`, `Pending`, `No data`: a state, with its severity while alerting. */
export function stateLabel(state: RuleState, severity: AlertSeverity | null, locale: string): string {
  const text = message(STATE_KEYS[state], locale);
  return state === 'alerting' && severity ? `${text} · ${severityLabel(severity, locale)}` : text;
}

/** `now normal` / `当前正常`. */
export const nowLabel = (state: RuleState, locale: string) => message(NOW_KEYS[state], locale);

export const severityLabel = (severity: AlertSeverity, locale: string) => message(severity === 'critical' ? 'stateCritical' : 'stateWarning', locale);

/** Whether the series are several (split, or given points naming series). */
export const isSplit = (vm: AnomalyViewModel) => vm.split !== null || vm.series.length > 1 || (vm.series[0]?.key ?? '') !== '';

/** A series' name: the split value (`(none)`, `Other`), or the measure for the one series. */
export function seriesName(vm: AnomalyViewModel, series: AnomalySeries, locale: string): string {
  if (!isSplit(vm)) return message('value', locale);
  return series.other ? message('other', locale) : groupName(series.key, true, locale);
}

/** Fills `{name}` placeholders of a message. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Period length by grain, in ms (a month's own length is taken from its wall-clock start). */
export function periodEnd(wall: number, grain: AnomalyGrain | null, step: number): number {
  if (grain === 'month') {
    const d = new Date(wall);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  const ms = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 } as const;
  return wall + (grain ? ms[grain] : step);
}
