/**
 * Formatters Vega cannot express with d3-format, registered once as Vega expression functions so
 * specs can name them in `formatType` (Vega-Lite `config.customFormatTypes`). Each takes the
 * locale as its format string and formats through `Intl`.
 *
 * Vega itself is imported here only when the formats are registered (the first time a chart is
 * embedded), so that importing a widget module does not load Vega.
 * @module
 */
import { loadOnce } from '../analytics/load-once.js';
import { formatDuration, formatNumber } from '../specs/format.js';
import { DURATION_FORMAT } from '../specs/funnel-spec.js';

/**
 * Registers the formats with Vega, loading Vega if it is not loaded yet. Call (and await) it before
 * embedding a spec that names them. Every call returns the same promise; a failed load (a chunk
 * the network dropped) is forgotten, so the next chart tries again rather than failing for good.
 */
export const registerVegaFormats: () => Promise<void> = loadOnce(() => import('vega').then(register));

/** Adds the formats to Vega's expression functions (the registry is Vega's, page-wide). */
function register({ expressionFunction }: typeof import('vega')): void {
  // Zero needs no unit ("0", not "0 sec" at the start of a day-long axis).
  expressionFunction(DURATION_FORMAT, (value: number, locale: string) => (value === 0 ? formatNumber(0, locale) : formatDuration(value, locale)));
}
