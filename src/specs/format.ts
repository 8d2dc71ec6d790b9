/**
 * Number, percent, duration and date formatting through `Intl`, cached per locale and options.
 * Shared by the spec builders (labels) and the elements (KPI figures, tables).
 * @module
 */
import type { FormatOptions } from '../analytics/contract.js';

const cache = new Map<string, Intl.NumberFormat>();
/** An `Intl.NumberFormat`, cached per locale and options. */
export function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

/** A formatter for plain numbers honouring the contract's `format` section. */
export function formatNumber(value: number, locale: string, format: FormatOptions = {}): string {
  return numberFormat(locale, {
    notation: format.compact ? 'compact' : 'standard',
    maximumFractionDigits: format.maximumFractionDigits ?? (Math.abs(value) < 10 ? 2 : format.compact ? 1 : 0),
  }).format(value);
}

/** Money in `format.currency` (no currency set: a plain number). */
export function formatCurrency(value: number, locale: string, format: FormatOptions = {}): string {
  if (!format.currency) return formatNumber(value, locale, format);
  return numberFormat(locale, {
    style: 'currency',
    currency: format.currency,
    notation: format.compact ? 'compact' : 'standard',
    maximumFractionDigits: format.maximumFractionDigits ?? (format.compact ? 1 : 0),
  }).format(value);
}

/** A ratio as a percent: 0.1234 → `12.3%`. */
export function formatPercent(ratio: number, locale: string, digits = 1): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(ratio);
}

/** A signed change as a percent: 0.05 → `+5%`, -0.18 → `-18%`. */
export function formatChange(ratio: number, locale: string, digits = 1): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(ratio);
}

/** A duration in the largest unit that keeps it readable: `45 min`, `5.2 h`, `3.5 days`. */
export function formatDuration(ms: number, locale: string): string {
  const units: Array<[Intl.NumberFormatOptions['unit'], number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  const [unit, size] = units.find(([, size]) => Math.abs(ms) >= size) ?? units[units.length - 1];
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(ms / size);
}

/** d3 number and time locale definitions, as Vega's `config.locale` takes them. */
export interface VegaLocale {
  number: { decimal: string; thousands: string; grouping: number[]; currency: [string, string] };
  time: {
    dateTime: string;
    date: string;
    time: string;
    periods: [string, string];
    days: string[];
    shortDays: string[];
    months: string[];
    shortMonths: string[];
  };
}

const localeCache = new Map<string, VegaLocale>();

/** Formats one option set's `type` part for several dates (UTC). */
function dateParts(locale: string, options: Intl.DateTimeFormatOptions, type: Intl.DateTimeFormatPartTypes, dates: number[]): string[] {
  const format = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
  return dates.map((ms) => format.formatToParts(ms).find((p) => p.type === type)?.value ?? '');
}

const months = (locale: string, month: 'long' | 'short') => dateParts(locale, { month }, 'month', Array.from({ length: 12 }, (_, m) => Date.UTC(2001, m, 1)));
// 7 January 2001 was a Sunday, where d3 starts its week.
const days = (locale: string, weekday: 'long' | 'short') => dateParts(locale, { weekday }, 'weekday', Array.from({ length: 7 }, (_, d) => Date.UTC(2001, 0, 7 + d)));

/**
 * The pieces of a {@link VegaLocale}, each read from one `Intl` formatter. Making a formatter is
 * the costly part (the page's first of a kind loads ICU data); formatting with it is cheap.
 */
const LOCALE_PARTS = {
  months: (locale: string) => months(locale, 'long'),
  shortMonths: (locale: string) => months(locale, 'short'),
  days: (locale: string) => days(locale, 'long'),
  shortDays: (locale: string) => days(locale, 'short'),
  periods: (locale: string) => dateParts(locale, { hour: 'numeric', hour12: true }, 'dayPeriod', [Date.UTC(2001, 0, 1, 9), Date.UTC(2001, 0, 1, 15)]),
  hour12: (locale: string) => new Intl.DateTimeFormat(locale, { hour: 'numeric' }).resolvedOptions().hour12 ?? false,
  number: (locale: string) => new Intl.NumberFormat(locale).formatToParts(1234567.5),
};
type LocaleParts = { [K in keyof typeof LOCALE_PARTS]: ReturnType<(typeof LOCALE_PARTS)[K]> };
const partCache = new Map<string, unknown>();

function localePart<K extends keyof LocaleParts>(locale: string, name: K): LocaleParts[K] {
  const key = `${locale} ${name}`;
  if (!partCache.has(key)) partCache.set(key, LOCALE_PARTS[name](locale));
  return partCache.get(key) as LocaleParts[K];
}

/**
 * Vega's number locale for a BCP 47 tag, read from `Intl`: the decimal and group marks. Enough for
 * a chart without times on it, which then makes no date formatter at all (the page's first
 * `Intl.DateTimeFormat` costs 20-70 ms on a cold page).
 */
export function vegaNumberLocale(locale: string): VegaLocale['number'] {
  const numberParts = localePart(locale, 'number');
  const symbol = (type: Intl.NumberFormatPartTypes, fallback: string) => numberParts.find((p) => p.type === type)?.value ?? fallback;
  return { decimal: symbol('decimal', '.'), thousands: symbol('group', ','), grouping: [3], currency: ['', ''] };
}

/**
 * Vega's number and time locale for a BCP 47 tag, read from `Intl`, so axis ticks say `3月`, `周一`
 * in zh-CN. It goes in the view's own config: Vega's global locale setters are page-wide and
 * would leak between widgets in different languages.
 */
export function vegaLocale(locale: string): VegaLocale {
  let cached = localeCache.get(locale);
  if (cached) return cached;
  const [am, pm] = localePart(locale, 'periods');
  const ymd = /^(zh|ja|ko)\b/.test(locale);
  cached = {
    number: vegaNumberLocale(locale),
    time: {
      dateTime: '%x %X',
      date: ymd ? '%Y/%-m/%-d' : '%-m/%-d/%Y',
      time: localePart(locale, 'hour12') ? '%-I:%M:%S %p' : '%H:%M:%S',
      periods: [am || 'AM', pm || 'PM'],
      days: localePart(locale, 'days'),
      shortDays: localePart(locale, 'shortDays'),
      months: localePart(locale, 'months'),
      shortMonths: localePart(locale, 'shortMonths'),
    },
  };
  localeCache.set(locale, cached);
  return cached;
}

/**
 * Reads {@link vegaLocale}'s pieces ahead of need, one per call of `later` (an idle callback, say):
 * read together they are one task of tens of milliseconds on a cold page, in which it cannot
 * answer input; one at a time, each is short. Without `time`, only {@link vegaNumberLocale}'s.
 */
export function prepareVegaLocale(locale: string, later: (work: () => void) => void, time = true): void {
  const names = time ? (Object.keys(LOCALE_PARTS) as Array<keyof LocaleParts>) : (['number'] as const);
  const next = (i: number) => {
    if (i === names.length) return;
    later(() => {
      localePart(locale, names[i]);
      next(i + 1);
    });
  };
  next(0);
}

/**
 * A period key (`2026-01-05`, `2026-01`, `2026-01-05T09:00`), already cut in the contract's time
 * zone, as epoch ms of that wall-clock time read as UTC. Specs draw it on a `utc` scale, so axis
 * ticks show the contract's days whatever zone the browser is in.
 */
export function wallTime(periodKey: string): number {
  if (periodKey.length === 7) return Date.parse(`${periodKey}-01T00:00Z`);
  if (periodKey.length === 10) return Date.parse(`${periodKey}T00:00Z`);
  return Date.parse(`${periodKey}Z`);
}

/**
 * Tick formats for time axes, by the unit a tick falls on: a day or week tick always carries its
 * month (`Jan 5`, `Jan 1, 2026`, not d3's `Mon 05` and `2026`); Chinese, Japanese and Korean write dates as month-day with
 * their own markers (`3月8日`).
 */
export function timeAxisFormat(locale: string): Record<string, string> {
  if (/^(zh|ja)\b/.test(locale)) {
    return { year: '%Y年%-m月%-d日', quarter: '%-m月', month: '%-m月', week: '%-m月%-d日', date: '%-m月%-d日', hours: '%H:00', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
  }
  if (/^ko\b/.test(locale)) {
    return { year: '%Y년 %-m월 %-d일', quarter: '%-m월', month: '%-m월', week: '%-m월 %-d일', date: '%-m월 %-d일', hours: '%H:00', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
  }
  // d3's default labels a week tick "Mon 05" and 1 January "2026": no month. Days always carry
  // theirs ("Jan 5", "Jan 1, 2026").
  return { year: '%b %-d, %Y', quarter: '%b', month: '%B', week: '%b %-d', date: '%b %-d', hours: '%H:00', minutes: '%H:%M', seconds: '%H:%M:%S', milliseconds: '%H:%M:%S.%L' };
}
