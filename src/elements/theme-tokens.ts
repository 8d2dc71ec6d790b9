/**
 * The theme tokens in force on an element, read from its resolved `--_fk-*` properties (the page's
 * `--fk-*` value where one is set, else the palette's), for the Vega config.
 * @module
 */
import { TOKEN_PROPERTIES, type ThemeTokens } from '../specs/theme.js';

export function readThemeTokens(element: Element): ThemeTokens {
  const style = getComputedStyle(element);
  const tokens = {} as Record<keyof ThemeTokens, string | string[]>;
  for (const [key, name] of Object.entries(TOKEN_PROPERTIES) as Array<[keyof ThemeTokens, string]>) {
    const value = style.getPropertyValue(`--_fk-${name}`).trim();
    tokens[key] = key === 'series' ? value.split(',').map((c) => c.trim()).filter(Boolean) : value;
  }
  return tokens as unknown as ThemeTokens;
}
