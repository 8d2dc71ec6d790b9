/**
 * Number, percent, duration and date formatting through `Intl`, cached per locale and options.
 * Shared by the spec builders (labels) and the elements (KPI figures, tables).
 * @module
 */
import type { FormatOptions } from '../analytics/contract.js';

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
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
