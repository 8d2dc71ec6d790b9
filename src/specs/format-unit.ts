import type { FormatOptions } from '../analytics/contract.js';
import { formatCurrency, formatNumber, formatPercent } from './format.js';
import { message } from './messages.js';

/** A KPI-style figure in its unit: `¥1.2M`, `12.5%`, `38 days`, `1,204`. */
export function formatInUnit(
  value: number,
  unit: 'number' | 'currency' | 'percent' | 'days',
  locale: string,
  format: FormatOptions = {},
): string {
  switch (unit) {
    case 'currency':
      return formatCurrency(value, locale, format);
    case 'percent':
      return formatPercent(value, locale, format.maximumFractionDigits ?? 1);
    case 'days':
      return `${formatNumber(value, locale, { maximumFractionDigits: 1 })} ${message('days', locale)}`;
    default:
      return formatNumber(value, locale, format);
  }
}
