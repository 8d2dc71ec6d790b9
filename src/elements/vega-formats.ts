/**
 * Formatters Vega cannot express with d3-format, registered once as Vega expression functions so
 * specs can name them in `formatType` (Vega-Lite `config.customFormatTypes`). Each takes the
 * locale as its format string and formats through `Intl`.
 * @module
 */
import { expressionFunction } from 'vega';
import { formatDuration } from '../specs/format.js';
import { DURATION_FORMAT } from '../specs/funnel-spec.js';

let registered = false;

export function registerVegaFormats(): void {
  if (registered) return;
  registered = true;
  expressionFunction(DURATION_FORMAT, (value: number, locale: string) => formatDuration(value, locale));
}
