/**
 * KPI figures as text, through `Intl`: plain, compact (1.2M; 1.2万 / 3.4亿 in zh-CN), currency,
 * percent, deltas of rates in percentage points, and durations in days. Pure: the view model
 * formats in the contract's locale and an element again in its own.
 * @module
 */
import type { KpiResult } from './view-model.js';
import { builtInLocale } from '../locale.js';

const POINTS = { en: 'pp', 'zh-CN': '个百分点', 'zh-TW': '個百分點' } as const;

/** Every figure of a KPI in `locale`; missing ones are null, a missing value is "—". */
export function formatKpiFigures(kpi: KpiResult, locale: string): KpiResult['formatted'] {
  const figure = (v: number | null) => (v === null ? null : formatKpiValue(v, kpi.format, locale));
  return {
    value: figure(kpi.value) ?? '—',
    previous: figure(kpi.previous),
    delta: kpi.delta === null ? null : formatDelta(kpi.delta, kpi.format, locale),
    deltaPct: kpi.deltaPct === null ? null : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(kpi.deltaPct / 100),
    target: figure(kpi.target),
    attainment: kpi.attainment === null ? null : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(kpi.attainment / 100),
  };
}

/** One value in the KPI's style. */
export function formatKpiValue(value: number, format: KpiResult['format'], locale: string, sign = false): string {
  const signDisplay = sign ? ('exceptZero' as const) : ('auto' as const);
  const digits = format.maximumFractionDigits;
  switch (format.style) {
    case 'compact':
      return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: digits ?? 1, signDisplay }).format(value);
    case 'currency': {
      // Large sums read compact with one decimal (CN¥1.5M, ¥150万); whole units from 1,000 up.
      const compact = Math.abs(value) >= 100_000;
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency: format.currency ?? 'USD',
        ...(compact ? { notation: 'compact' as const, minimumFractionDigits: 0 } : {}),
        maximumFractionDigits: digits ?? (compact ? 1 : Math.abs(value) >= 1000 ? 0 : 2),
        signDisplay,
      }).format(value);
    }
    case 'percent':
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits ?? 1, signDisplay }).format(value);
    case 'duration':
      return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long', maximumFractionDigits: digits ?? 1, signDisplay }).format(value);
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: digits ?? 2, signDisplay }).format(value);
  }
}

/** A change: in the KPI's style, except that rates change by percentage points ("+2.1 pp"). */
function formatDelta(delta: number, format: KpiResult['format'], locale: string): string {
  if (format.style !== 'percent') return formatKpiValue(delta, format, locale, true);
  const points = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(delta * 100);
  return `${points} ${POINTS[builtInLocale(locale)]}`;
}
