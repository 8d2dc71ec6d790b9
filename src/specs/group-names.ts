/**
 * Breakdown groups as the specs draw them: the name shown for a value, and the index keys Vega
 * groups by (never the value itself), with a legend expression that shows the names.
 * @module
 */
import { OTHER } from '../analytics/groups.js';
import { message } from './messages.js';

/** A breakdown value as shown: `(none)` for missing, `Other` in the locale. */
export function groupName(value: string, grouped: boolean, locale: string): string {
  if (!grouped) return value;
  if (value === '') return message('none', locale);
  return value === OTHER ? message('other', locale) : value;
}

/**
 * The key a breakdown group is drawn under: its rank, never the value. Vega keeps groups in plain
 * objects, where a value named "constructor" or "__proto__" breaks the view.
 */
export const seriesKey = (index: number) => `g${index}`;

/**
 * Vega's legend drops every label when one reads exactly like an Object member ("constructor",
 * "hasOwnProperty"): such a name gets an invisible word joiner in front, and looks the same.
 */
function legendText(name: string): string {
  return name in Object.prototype || name === '__proto__' ? `\u2060${name}` : name;
}

/**
 * A legend `labelExpr` showing `names[i]` for the key `seriesKey(i)`. Names go into the
 * expression as JSON string literals, so no text from data is read as code.
 */
export function seriesLabelExpr(names: string[]): string {
  return names.reduceRight((rest, name, i) => `datum.value === '${seriesKey(i)}' ? ${JSON.stringify(legendText(name))} : ${rest}`, "''");
}
