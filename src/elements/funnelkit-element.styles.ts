import { css } from 'lit';

/**
 * System tokens (`--fk-*`) with light defaults, dark values under `theme="dark"` or the OS
 * preference (unless `theme="light"`). Widgets style themselves from these tokens only, so a
 * host re-themes every widget by setting a handful of properties.
 */
export const baseStyles = css`
  :host {
    --fk-color-background: #ffffff;
    --fk-color-text: #1f2933;
    --fk-color-muted: #616e7c;
    --fk-color-grid: #e4e7eb;
    --fk-color-accent: #3e63dd;
    --fk-color-ghost: #c9d3f5;
    --fk-color-alert: #d93025;
    --fk-color-warning: #e8a317;
    --fk-color-success: #1e8e3e;
    --fk-series: #3e63dd, #12a594, #e8a317, #d6409f, #7c66dc, #2f9e44, #f76b15, #0090ff;
    --fk-font-family: system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif;
    --fk-radius: 8px;
    --fk-border: 1px solid var(--fk-color-grid);
    --fk-height: 320px;

    display: block;
    position: relative;
    box-sizing: border-box;
    min-width: 200px;
    color: var(--fk-color-text);
    font-family: var(--fk-font-family);
  }
  :host([theme='dark']) {
    --fk-color-background: #16191d;
    --fk-color-text: #e6e8eb;
    --fk-color-muted: #9ba4ae;
    --fk-color-grid: #2e343b;
    --fk-color-accent: #7c9cff;
    --fk-color-ghost: #2d3a66;
    --fk-color-alert: #ff6b5e;
    --fk-color-warning: #ffc53d;
    --fk-color-success: #4cc38a;
    --fk-series: #7c9cff, #3dd6c1, #ffc53d, #f17ac0, #a591ff, #5ad16b, #ff9a4d, #5eb1ff;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      --fk-color-background: #16191d;
      --fk-color-text: #e6e8eb;
      --fk-color-muted: #9ba4ae;
      --fk-color-grid: #2e343b;
      --fk-color-accent: #7c9cff;
      --fk-color-ghost: #2d3a66;
      --fk-color-alert: #ff6b5e;
      --fk-color-warning: #ffc53d;
      --fk-color-success: #4cc38a;
      --fk-series: #7c9cff, #3dd6c1, #ffc53d, #f17ac0, #a591ff, #5ad16b, #ff9a4d, #5eb1ff;
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
    background: var(--fk-color-background);
    border: var(--fk-border);
    border-radius: var(--fk-radius);
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
  .plot {
    position: relative;
    flex: 1 1 auto;
    display: flex;
    flex-direction: column;
  }
  [part='chart'] {
    position: relative;
    flex: 1 1 auto;
    min-height: 120px;
    height: var(--fk-height);
  }
  .plot[hidden],
  [part='chart'][hidden] {
    display: none;
  }
  [part='status'] {
    font-size: 13px;
    color: var(--fk-color-muted);
    padding: 8px 12px;
    border-radius: calc(var(--fk-radius) - 2px);
    background: color-mix(in srgb, var(--fk-color-grid) 40%, transparent);
  }
  [part='status'][data-state='empty'] {
    padding: 32px 12px;
    text-align: center;
  }
  [part='status'][data-state='error'] {
    color: var(--fk-color-text);
    background: color-mix(in srgb, var(--fk-color-alert) 12%, transparent);
    border-left: 3px solid var(--fk-color-alert);
  }
  [part='status'] code {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    font-size: 12px;
  }
  [part='tooltip'] {
    position: absolute;
    z-index: 10;
    pointer-events: none;
    max-width: 320px;
    padding: 6px 8px;
    font-size: 12px;
    color: var(--fk-color-text);
    background: var(--fk-color-background);
    border: var(--fk-border);
    border-radius: 6px;
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.15);
    overflow-wrap: anywhere;
  }
  [part='tooltip'] .tip-title {
    font-weight: 600;
    margin-bottom: 4px;
  }
  [part='tooltip'] td:first-child {
    color: var(--fk-color-muted);
    padding-right: 8px;
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
