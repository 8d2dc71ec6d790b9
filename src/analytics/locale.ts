/**
 * Which of the built-in languages a BCP 47 locale reads: Traditional Chinese for `zh-Hant`,
 * `zh-TW`, `zh-HK` and `zh-MO`; Simplified Chinese for every other `zh` (`zh-CN`, `zh-SG`,
 * `zh-Hans`, `zh`); English for the rest. Shared by the view models' own words (KPI deltas) and
 * the widgets' message catalogues.
 * @module
 */
export type BuiltInLocale = 'en' | 'zh-CN' | 'zh-TW';

export function builtInLocale(locale: string): BuiltInLocale {
  const tag = locale.toLowerCase();
  if (!/^zh(-|$)/.test(tag)) return 'en';
  if (/-hans(-|$)/.test(tag)) return 'zh-CN';
  return /-hant(-|$)/.test(tag) || /-(tw|hk|mo)(-|$)/.test(tag) ? 'zh-TW' : 'zh-CN';
}
