/**
 * Theme tokens (read from CSS custom properties by the element) to a Vega config. Pure: the
 * same tokens always give the same config, so a theme change is a config change and nothing else.
 * @module
 */
import type { Config } from 'vega-lite';

/** Resolved design tokens. Each maps to a `--fk-*` CSS custom property: see {@link TOKEN_PROPERTIES}. */
export interface ThemeTokens {
  background: string;
  text: string;
  muted: string;
  grid: string;
  accent: string;
  ghost: string;
  alert: string;
  warning: string;
  success: string;
  font: string;
  /** Categorical palette for breakdowns and series. */
  series: string[];
}

/** The CSS custom property behind each token, without the `--fk-` prefix. */
export const TOKEN_PROPERTIES: Record<keyof ThemeTokens, string> = {
  background: 'color-background',
  text: 'color-text',
  muted: 'color-muted',
  grid: 'color-grid',
  accent: 'color-accent',
  ghost: 'color-ghost',
  alert: 'color-alert',
  warning: 'color-warning',
  success: 'color-success',
  font: 'font-family',
  series: 'series',
};

const FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif';

/**
 * The light palette: the one definition the element styles (as `var()` fallbacks) and Vega
 * configs built outside a page (tests, Node) both use. Every colour that carries meaning (accent,
 * alert, warning, success, each series) is at least 3:1 on the background, text and muted text
 * at least 4.5:1 (WCAG 2 AA; test/analytics/theme.test.ts); the ghost is a backdrop, never alone.
 */
export const LIGHT_TOKENS: ThemeTokens = {
  background: '#ffffff',
  text: '#1f2933',
  muted: '#616e7c',
  grid: '#e4e7eb',
  accent: '#3e63dd',
  ghost: '#c9d3f5',
  alert: '#c5221f',
  warning: '#b7791f',
  success: '#137333',
  font: FONT,
  series: ['#3e63dd', '#12a594', '#b7791f', '#d6409f', '#7c66dc', '#2f9e44', '#d9560b', '#0090ff'],
};

/** The dark palette, under `theme="dark"` or the OS preference. */
export const DARK_TOKENS: ThemeTokens = {
  background: '#16191d',
  text: '#e6e8eb',
  muted: '#9ba4ae',
  grid: '#2e343b',
  accent: '#7c9cff',
  ghost: '#2d3a66',
  alert: '#ff6b5e',
  warning: '#ffc53d',
  success: '#4cc38a',
  font: FONT,
  series: ['#7c9cff', '#3dd6c1', '#ffc53d', '#f17ac0', '#a591ff', '#5ad16b', '#ff9a4d', '#5eb1ff'],
};

/** Vega config for the tokens: transparent background so the host's frame shows through. */
export function buildVegaConfig(t: ThemeTokens): Config {
  const axis = {
    domainColor: t.grid,
    gridColor: t.grid,
    tickColor: t.grid,
    labelColor: t.muted,
    titleColor: t.muted,
    labelFont: t.font,
    titleFont: t.font,
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 500 as const,
  };
  return {
    background: 'transparent',
    // Lets specs format with the Intl-backed functions the elements register (durations).
    customFormatTypes: true,
    font: t.font,
    padding: 4,
    view: { stroke: 'transparent' },
    axis,
    legend: { labelColor: t.text, titleColor: t.muted, labelFont: t.font, titleFont: t.font, orient: 'top' },
    title: { color: t.text, font: t.font, subtitleColor: t.muted },
    text: { color: t.text, font: t.font },
    // The chart is aria-hidden (the element's table and mark buttons carry the figures): no
    // ARIA description is written for each mark, which Vega would rebuild on every data update.
    mark: { color: t.accent, aria: false },
    bar: { color: t.accent },
    line: { color: t.accent, strokeWidth: 2 },
    point: { color: t.accent },
    area: { color: t.accent },
    rule: { color: t.muted },
    range: { category: t.series },
  };
}
