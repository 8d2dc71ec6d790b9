/**
 * Formatters Vega cannot express with d3-format, as Vega expression functions that specs name in
 * `formatType` (Vega-Lite `config.customFormatTypes`). Each takes the locale as its format string
 * and formats through `Intl`.
 *
 * Both Vegas that meet a spec need them: the one that parses it (its expression checker rejects
 * an unknown function), on the page or in the compute Worker, and the page's, whose views call
 * them. This module imports no Vega: it is handed Vega's registration function.
 * @module
 */
import { formatDuration, formatNumber } from './format.js';

/** The expression function that formats milliseconds as a duration (`formatType` in specs). */
export const DURATION_FORMAT = 'fkDuration';

/** Adds the formats to a Vega's expression functions (Vega's registry is module-wide). */
export function addVegaFormats({ expressionFunction }: Pick<typeof import('vega'), 'expressionFunction'>): void {
  // Zero needs no unit ("0", not "0 sec" at the start of a day-long axis).
  expressionFunction(DURATION_FORMAT, (value: number, locale: string) => (value === 0 ? formatNumber(0, locale) : formatDuration(value, locale)));
}
