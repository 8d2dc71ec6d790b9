/**
 * Formatters Vega cannot express with d3-format, registered once as Vega expression functions so
 * specs can name them in `formatType` (Vega-Lite `config.customFormatTypes`). Each takes the
 * locale as its format string and formats through `Intl`.
 * @module
 */
import { expressionFunction } from 'vega';
import { formatDuration, formatNumber } from '../specs/format.js';
import { DURATION_FORMAT } from '../specs/funnel-spec.js';

let registered = false;

export function registerVegaFormats(): void {
  if (registered) return;
  registered = true;
  // Zero needs no unit ("0", not "0 sec" at the start of a day-long axis).
  expressionFunction(DURATION_FORMAT, (value: number, locale: string) => (value === 0 ? formatNumber(0, locale) : formatDuration(value, locale)));
}
