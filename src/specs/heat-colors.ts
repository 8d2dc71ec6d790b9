/**
 * The sequential colour ramp of heatmap cells, built from the theme's background and accent so it
 * reads in light and dark themes alike, and the text colour for each fill: WCAG 2 contrast is
 * computed, and the first ink reaching 4.5:1 is taken.
 * @module
 */
import { LIGHT_TOKENS, type ThemeTokens } from './theme.js';

type Rgb = [number, number, number];

/** `#rgb`, `#rrggbb` (alpha ignored) or `rgb(…)` / `rgba(…)` as 0–255 channels; null otherwise. */
export function parseColor(css: string): Rgb | null {
  const text = css.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(text)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex.slice(0, 3)].map((c) => c + c).join('') : hex.slice(0, 6);
    return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(text);
  return rgb ? (rgb.slice(1, 4).map((n) => Math.min(255, Number(n))) as Rgb) : null;
}

const toHex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** A token as channels; a value this module cannot read (`oklch(…)`, a name) falls back to the light palette's. */
function channels(tokens: ThemeTokens, key: 'background' | 'accent' | 'text'): Rgb {
  return parseColor(tokens[key]) ?? parseColor(LIGHT_TOKENS[key])!;
}

/** `a` moved `t` of the way to `b`, channel by channel in sRGB, as `#rrggbb`. */
export function mix(a: string, b: string, t: number): string {
  const [x, y] = [parseColor(a) ?? [0, 0, 0], parseColor(b) ?? [0, 0, 0]];
  return toHex(x.map((v, i) => v + (y[i] - v) * t) as Rgb);
}

/** WCAG 2 relative luminance of a colour. */
export function luminance(css: string): number {
  const [r, g, b] = (parseColor(css) ?? [0, 0, 0]).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** AA for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

/**
 * Text colour for a fill: the theme's text or background colour where either reaches 4.5:1, else
 * black or white (one of which always reaches 4.58:1).
 */
export function inkFor(fill: string, tokens: ThemeTokens): string {
  const candidates = [toHex(channels(tokens, 'text')), toHex(channels(tokens, 'background')), '#000000', '#ffffff'];
  return candidates.find((ink) => contrast(ink, fill) >= MIN_TEXT_CONTRAST) ?? candidates.reduce((best, ink) => (contrast(ink, fill) > contrast(best, fill) ? ink : best));
}

/** The accent's share of the lowest fill, and how far incomplete cells fade toward the background. */
const LOW_SHARE = 0.1;
const INCOMPLETE_FADE = 0.55;

/**
 * How much accent (over the background) the fill at `t` (0–1, clamped) has: from a faint tint to
 * the full accent, with square-root spacing so the small rates retention lives in stay apart.
 */
export function accentShare(t: number, incomplete = false): number {
  const share = LOW_SHARE + (1 - LOW_SHARE) * Math.sqrt(Math.min(1, Math.max(0, t)));
  return incomplete ? share * (1 - INCOMPLETE_FADE) : share;
}

/** The heatmap fill at `t`. */
export function heatFill(t: number, tokens: ThemeTokens, incomplete = false): string {
  return mix(toHex(channels(tokens, 'background')), toHex(channels(tokens, 'accent')), accentShare(t, incomplete));
}

/** A CSS colour of the ramp from the element's resolved tokens, so the page's `--fk-*` values apply. */
export function heatFillCss(t: number, incomplete = false): string {
  return `color-mix(in srgb, var(--_fk-color-accent) ${+(accentShare(t, incomplete) * 100).toFixed(2)}%, var(--_fk-color-background))`;
}

/** The ramp as a CSS gradient, for the HTML legend: the same colours as {@link heatFill}. */
export function heatRampCss(steps = 8): string {
  const stops = Array.from({ length: steps + 1 }, (_, i) => `${heatFillCss(i / steps)} ${+((i / steps) * 100).toFixed(2)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
