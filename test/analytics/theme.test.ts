// The palettes' contrast on their own background (WCAG 2): colours that carry meaning (a series, an
// alert, a warning, a good change, the accent) at least 3:1, text at least 4.5:1, in both themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DARK_TOKENS, LIGHT_TOKENS, type ThemeTokens } from '../../src/specs/theme.js';

const luminance = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((s) => (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

for (const [name, t] of [['light', LIGHT_TOKENS], ['dark', DARK_TOKENS]] as Array<[string, ThemeTokens]>) {
  test(`${name} palette: text 4.5:1 and every meaningful colour 3:1 on the background`, () => {
    for (const key of ['text', 'muted'] as const) {
      assert.ok(contrast(t[key], t.background) >= 4.5, `${key} ${t[key]}: ${contrast(t[key], t.background).toFixed(2)}:1`);
    }
    const marks = { accent: t.accent, alert: t.alert, warning: t.warning, success: t.success, ...Object.fromEntries(t.series.map((c, i) => [`series ${i}`, c])) };
    for (const [key, color] of Object.entries(marks)) {
      assert.ok(contrast(color, t.background) >= 3, `${key} ${color}: ${contrast(color, t.background).toFixed(2)}:1`);
    }
    // Eight series, all told apart.
    assert.equal(new Set(t.series).size, 8);
  });
}
