import { css } from 'lit';

/**
 * One KPI as `kpiView` draws it, in `<kpi-card>` and in each cell of `<kpi-grid>`. The `sk-*`
 * rules are the loading placeholder: the font sizes and line heights of the rows it stands for.
 * (Notes stay out of the CSS text, which every page downloads.)
 * - `.kpi`: the figure's size follows the card's width (`cqi`), so a long figure never reaches
 *   the edge. The label is the card's button; its focus ring goes round the whole card.
 * - `[part='change']` with a good or bad tone: the token mixed toward the text colour keeps 4.5:1
 *   on its tint in both themes (light: success 5.1:1, alert 5.8:1; dark: 7.3:1, 6.5:1); the bare
 *   tokens are 3.5:1 and 3.9:1 on light. A strong change is ringed in its own colour: told apart
 *   without a stronger tint, which would cost contrast.
 * - `[part='chart']` sits at the foot of the card, so a row of cards lines their sparklines up.
 */
export const kpiStyles = css`
  :host {
    --_fk-height: var(--fk-height, 44px);
  }
  .kpi {
    container-type: inline-size;
    display: flex;
    flex-direction: column;
    gap: 6px;
    min-width: 0;
    cursor: pointer;
    border-radius: var(--_fk-radius);
  }
  .kpi:has(button:focus-visible) {
    outline: 2px solid var(--_fk-color-accent);
    outline-offset: 2px;
  }
  @supports selector(:has(*)) {
    .kpi button:focus-visible {
      outline: none;
    }
  }
  .head {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .head button {
    flex: 1 1 auto;
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    font-size: 14px;
    font-weight: 600;
    line-height: 1.3;
    text-align: start;
    overflow-wrap: anywhere;
    cursor: pointer;
  }
  [part='status-dot'] {
    flex: none;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--_fk-kpi-status, var(--_fk-color-muted));
    box-shadow: 0 0 0 2px color-mix(in srgb, var(--_fk-kpi-status, transparent) 25%, transparent);
  }
  .figure {
    display: flex;
    align-items: baseline;
    flex-wrap: wrap;
    gap: 4px 10px;
  }
  [part='value'] {
    font-size: clamp(18px, 13cqi, 30px);
    font-weight: 650;
    line-height: 1.1;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  [part='change'] {
    font-size: 13px;
    font-weight: 600;
    padding: 2px 6px;
    border-radius: 999px;
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
    color: var(--_fk-color-muted);
    background: color-mix(in srgb, var(--_fk-color-grid) 60%, transparent);
  }
  [part='change'][data-tone='good'] {
    color: color-mix(in srgb, var(--_fk-color-success) 70%, var(--_fk-color-text));
    background: color-mix(in srgb, var(--_fk-color-success) 14%, transparent);
  }
  [part='change'][data-tone='bad'] {
    color: color-mix(in srgb, var(--_fk-color-alert) 70%, var(--_fk-color-text));
    background: color-mix(in srgb, var(--_fk-color-alert) 14%, transparent);
  }
  [part='change'][data-class^='strong'] {
    box-shadow: inset 0 0 0 1px currentColor;
  }
  [part='change'][data-tone='none'] {
    font-weight: 500;
    background: none;
    padding-left: 0;
  }
  [part='comparison'],
  [part='target'] {
    font-size: 12px;
    color: var(--_fk-color-muted);
  }
  .figure-text {
    white-space: nowrap;
  }
  .bar {
    height: 4px;
    border-radius: 2px;
    background: var(--_fk-color-grid);
    overflow: hidden;
    margin-top: 4px;
  }
  .bar > div {
    height: 100%;
    background: var(--_fk-color-accent);
  }
  .skeleton span, .sk-comparison, .sk-chart { border-radius: 4px; background: color-mix(in srgb, var(--_fk-color-grid) 60%, transparent); }
  .sk-label { width: 50%; font-size: 14px; line-height: 1.3; }
  .sk-value { width: 60%; font-size: clamp(18px, 13cqi, 30px); line-height: 1.1; }
  .sk-comparison { width: 70%; font-size: 12px; }
  .sk-chart { height: var(--_fk-height); margin-top: auto; }
  [part='chart'] {
    height: var(--_fk-height);
    margin-top: auto;
    padding-top: 2px;
  }
  .sparkline {
    display: block;
    width: 100%;
    height: 100%;
    overflow: visible;
  }
  .spark-line {
    fill: none;
    stroke: var(--_fk-color-accent);
    stroke-width: 2px;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .spark-area {
    fill: var(--_fk-color-accent);
    fill-opacity: 0.14;
    stroke: none;
  }
`;
