/**
 * The words of a KPI card, in its locale: what the change is measured against ("vs previous 30
 * days", "较上期"), the change badge, the status, why there is no value, and the one sentence a
 * screen reader hears for the whole card.
 * @module
 */
import type { KpiResult, KpiStatus } from '../analytics/index.js';
import { message, type MessageKey } from '../specs/messages.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Figures = KpiResult['formatted'];
type Range = { from: number; to: number };

const isZh = (locale: string) => locale.toLowerCase().startsWith('zh');
export const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''));

/** A whole number of `unit` when `ms` is one (a day across a DST change is 23 or 25 hours). */
function whole(ms: number, unit: number): number | null {
  const n = Math.round(ms / unit);
  return n >= 1 && Math.abs(ms - n * unit) <= HOUR ? n : null;
}

/**
 * What the period is compared with, from the two ranges: the adjacent range of equal length
 * ("vs previous 30 days"), the same range a year before ("vs same period last year"), or any
 * other earlier range ("vs previous period"). Null without a comparison range.
 */
export function comparisonLabel(range: Range | null, previous: Range | null, locale: string): string | null {
  if (!range || !previous) return null;
  const length = range.to - range.from;
  const days = whole(length, DAY);
  const before = whole(range.from - previous.from, DAY);
  if (before !== null && before >= 364 && before <= 366 && days !== null && days < 364) return message('vsYearAgo', locale);
  if (previous.to !== range.from || previous.to - previous.from !== length) return message('vsPrevious', locale);
  if (days === 1) return message('vsPreviousDay', locale);
  if (days !== null) return fill(message('vsPreviousDays', locale), { n: days });
  const hours = whole(length, HOUR);
  return hours !== null && length < DAY ? fill(message('vsPreviousHours', locale), { n: hours }) : message('vsPrevious', locale);
}

/** The change the badge shows: percentage points for a rate, else percent change, else the difference. */
export function changeFigure(kpi: KpiResult, figures: Figures): string | null {
  if (kpi.format.style === 'percent') return figures.delta ?? figures.deltaPct;
  return figures.deltaPct ?? figures.delta;
}

/** The badge: arrow and signed change, or null ("no comparison") when there is none. */
export function changeBadge(kpi: KpiResult, figures: Figures): { arrow: '▲' | '▼' | null; figure: string } | null {
  const figure = changeFigure(kpi, figures);
  if (figure === null) return null;
  return { arrow: kpi.arrow === 'up' ? '▲' : kpi.arrow === 'down' ? '▼' : null, figure };
}

const STATUS: Record<KpiStatus, MessageKey> = { good: 'statusGood', warning: 'stateWarning', critical: 'stateCritical' };

/** "Good", "Warning", "Critical" in the locale. */
export function statusWord(status: KpiStatus, locale: string): string {
  return message(STATUS[status], locale);
}

/** Why a KPI has no value, or null when it has one. */
export function noteReason(kpi: KpiResult, locale: string): string | null {
  if (kpi.value !== null) return null;
  return message(kpi.note === 'empty-denominator' ? 'emptyDenominatorReason' : 'noDataReason', locale);
}

/** Traffic-light names stand for the theme's tokens; anything else is a CSS colour as given. */
const TOKEN_COLORS: Record<string, string> = {
  green: 'var(--_fk-color-success)',
  yellow: 'var(--_fk-color-warning)',
  orange: 'var(--_fk-color-warning)',
  red: 'var(--_fk-color-alert)',
};

export function statusColor(kpi: KpiResult): string | null {
  if (kpi.status === null) return null;
  const color = kpi.statusColor ?? { good: 'green', warning: 'yellow', critical: 'red' }[kpi.status];
  return TOKEN_COLORS[color.toLowerCase()] ?? color;
}

/** "78% of target (2,000)". */
export function targetText(figures: Figures, locale: string): string | null {
  if (figures.attainment === null || figures.target === null) return null;
  return fill(message('ofTarget', locale), { pct: figures.attainment, target: figures.target });
}

/**
 * The card in one sentence: "Win rate 23.4%, up 2.1 points on the previous 30 days, 94% of
 * target, status warning" / "赢率 23.4%，较上期上升 2.1 个百分点，完成目标的 94%，状态：警告".
 */
export function kpiSentence(kpi: KpiResult, figures: Figures, locale: string): string {
  const zh = isZh(locale);
  // Mid-sentence, English words start in lower case.
  const lower = (text: string) => (zh ? text : text.charAt(0).toLowerCase() + text.slice(1));
  const reason = noteReason(kpi, locale);
  const parts = [reason === null ? `${kpi.label} ${figures.value}` : `${kpi.label}: ${lower(reason)}`];
  const figure = changeFigure(kpi, figures);
  if (figure === null) {
    parts.push(lower(message('noComparison', locale)));
  } else {
    const verb = message(kpi.arrow === 'up' ? 'kpiUp' : kpi.arrow === 'down' ? 'kpiDown' : 'kpiUnchanged', locale);
    // Unsigned: the verb says which way. "pp" is read out as "points".
    const amount = kpi.arrow === null ? '' : figure.replace(/^[+\-−]\s*/, '').replace(/ pp$/, ' points');
    const against = comparisonLabel(kpi.range, kpi.previousRange, locale) ?? message('vsPrevious', locale);
    parts.push(zh ? `${against}${verb}${amount ? ` ${amount}` : ''}` : [verb, amount, against.replace(/^vs /, 'on the ')].filter(Boolean).join(' '));
  }
  if (figures.attainment !== null) parts.push(fill(message('ofTargetShort', locale), { pct: figures.attainment }));
  if (kpi.status !== null) parts.push(fill(message('kpiStatus', locale), { status: lower(statusWord(kpi.status, locale)) }));
  return parts.join(zh ? '，' : ', ');
}
