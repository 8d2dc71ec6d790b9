import { css, unsafeCSS, type CSSResult } from 'lit';
import { DARK_TOKENS, LIGHT_TOKENS, TOKEN_PROPERTIES, type ThemeTokens } from '../specs/theme.js';

/**
 * Private resolved tokens (`--_fk-*`), Material Web's way: each reads the public `--fk-*` token
 * with the palette's value as fallback. The public tokens are never declared here, so a page
 * that sets `--fk-color-accent` on `:root` or any ancestor restyles every widget under it.
 */
function resolvedTokens(palette: ThemeTokens): CSSResult {
  const lines = (Object.keys(TOKEN_PROPERTIES) as Array<keyof ThemeTokens>).map((key) => {
    const name = TOKEN_PROPERTIES[key];
    const value = palette[key];
    return `--_fk-${name}: var(--fk-${name}, ${Array.isArray(value) ? value.join(', ') : value});`;
  });
  return unsafeCSS(lines.join('\n'));
}

/**
 * The base styles every widget shares. Widgets style themselves from the resolved `--_fk-*`
 * tokens only, so a host re-themes every widget by setting a handful of `--fk-*` properties.
 */
export const baseStyles = css`
  :host {
    ${resolvedTokens(LIGHT_TOKENS)}
    --_fk-radius: var(--fk-radius, 8px);
    --_fk-border: var(--fk-border, 1px solid var(--_fk-color-grid));
    --_fk-height: var(--fk-height, 320px);

    display: block;
    position: relative;
    box-sizing: border-box;
    min-width: 200px;
    color: var(--_fk-color-text);
    font-family: var(--_fk-font-family);
  }
  :host([theme='dark']) {
    ${resolvedTokens(DARK_TOKENS)}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${resolvedTokens(DARK_TOKENS)}
    }
  }
  :host([hidden]) {
    display: none;
  }
  [part='frame'] {
    position: relative;
    box-sizing: border-box;
    height: 100%;
    padding: 12px 16px;
    background: var(--_fk-color-background);
    border: var(--_fk-border);
    border-radius: var(--_fk-radius);
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  [part='title'] {
    margin: 0;
    font-size: 15px;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  [part='status'] {
    font-size: 13px;
    color: var(--_fk-color-muted);
    padding: 8px 12px;
    border-radius: calc(var(--_fk-radius) - 2px);
    background: color-mix(in srgb, var(--_fk-color-grid) 40%, transparent);
  }
  /* Loading: the status sits over the placeholder (or the last view) instead of pushing it down. */
  [part='status'][data-state='loading'] { position: absolute; z-index: 5; top: 50%; left: 50%; transform: translate(-50%, -50%); background: var(--_fk-color-background); border: var(--_fk-border); }
  .spinner { display: inline-block; width: 10px; height: 10px; margin-right: 8px; border: 2px solid var(--_fk-color-grid); border-top-color: var(--_fk-color-accent); border-radius: 50%; }
  @media (prefers-reduced-motion: no-preference) { .spinner { animation: fk-spin 0.8s linear infinite; } }
  @keyframes fk-spin { to { transform: rotate(1turn); } }
  [part='status'][data-state='empty'] {
    padding: 32px 12px;
    text-align: center;
  }
  [part='status'][data-state='error'] {
    color: var(--_fk-color-text);
    background: color-mix(in srgb, var(--_fk-color-alert) 12%, transparent);
    border-left: 3px solid var(--_fk-color-alert);
  }
  [part='status'] code {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    font-size: 12px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
