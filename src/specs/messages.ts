/**
 * The widgets' own words (status lines, axis titles, table headers): one catalogue per language
 * in `messages/` (English complete and the fallback, Simplified and Traditional Chinese complete),
 * and a page-wide {@link registerMessages} to override words or add a language. Text that comes
 * from data is never looked up here.
 *
 * A locale finds its catalogue by these rules, first match wins:
 * 1. a language registered under the exact tag (`fr-CA`), then under its language (`fr`);
 * 2. Chinese by script and region: `zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO` read Traditional
 *    (`zh-TW`); every other `zh` (`zh-CN`, `zh-SG`, `zh-Hans`, `zh`) reads Simplified (`zh-CN`);
 * 3. anything else reads English.
 * A key a catalogue lacks (a partial registration) is read from the next catalogue in that chain
 * (`zh-HK` overrides → `zh-TW` → English).
 * @module
 */
import { en, type MessageKey, type Messages } from './messages/en.js';
import { zhCN } from './messages/zh-CN.js';
import { zhTW } from './messages/zh-TW.js';
import { builtInLocale } from '../analytics/locale.js';

export type { MessageKey, Messages };

const BUILT_IN: Record<string, Partial<Messages>> = { en, 'zh-CN': zhCN, 'zh-TW': zhTW };
/** Registered by the page: overrides and new languages, by lower-case tag. */
const registered = new Map<string, Partial<Messages>>();
const chains = new Map<string, Array<Partial<Messages>>>();

/**
 * Overrides some of the widgets' words for a locale, or adds a language, for every widget on the
 * page: `registerMessages('fr', { loading: 'Chargement…', empty: 'Aucune donnée' })`. Keys left
 * out fall back as the module documentation says. Widgets already drawn use the words at their
 * next render.
 */
export function registerMessages(locale: string, messages: Partial<Messages>): void {
  const tag = locale.toLowerCase();
  registered.set(tag, { ...registered.get(tag), ...messages });
  chains.clear();
}

/** The catalogues a locale reads, most specific first, English last. */
function chain(locale: string): Array<Partial<Messages>> {
  const tag = locale.toLowerCase();
  let found = chains.get(tag);
  if (!found) {
    const language = tag.split('-')[0];
    const built = builtInLocale(tag);
    const layers = [registered.get(tag), language !== tag ? registered.get(language) : undefined, registered.get(built.toLowerCase()), BUILT_IN[built], en];
    found = layers.filter((layer): layer is Partial<Messages> => layer !== undefined);
    chains.set(tag, found);
  }
  return found;
}

/** The message for `key` in `locale`, by the fallback rules above. */
export function message(key: MessageKey, locale: string): string {
  for (const layer of chain(locale)) {
    const text = layer[key];
    if (text !== undefined) return text;
  }
  return en[key];
}

const OFFSET_KEYS = { hour: 'offsetHour', day: 'offsetDay', week: 'offsetWeek', month: 'offsetMonth' } as const;

/** "Week 3" / "第3周": a column heading for periods since the start. */
export function offsetLabel(period: 'hour' | 'day' | 'week' | 'month', n: number, locale: string): string {
  return message(OFFSET_KEYS[period], locale).replace('{n}', String(n));
}
