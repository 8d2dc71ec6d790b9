import { css, unsafeCSS } from 'lit';
import { heatFillCss, heatRampCss } from '../specs/heat-colors.js';

/** The toolbar (group picker, legend) above the cohort chart and the cell buttons laid over it. */
export const cohortChartStyles = css`
  [part='toolbar'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 6px 16px;
    font-size: 12px;
    color: var(--_fk-color-muted);
  }
  [part='group-label'] {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  [part='group-select'] {
    font: 12px var(--_fk-font-family);
    color: var(--_fk-color-text);
    background: var(--_fk-color-background);
    border: 1px solid var(--_fk-color-muted);
    border-radius: 4px;
    padding: 2px 4px;
    max-width: 16em;
  }
  [part='group-select']:focus-visible {
    outline: 2px solid var(--_fk-color-accent);
    outline-offset: 1px;
  }
  [part='legend'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 8px;
    margin-left: auto;
  }
  .ramp {
    display: inline-grid;
    grid-template-columns: auto auto auto;
    column-gap: 0;
    align-items: center;
  }
  .ramp .bar {
    grid-column: 1 / -1;
    width: 120px;
    height: 8px;
    border-radius: 2px;
    background-image: ${unsafeCSS(heatRampCss())};
  }
  .ramp .tick {
    font-size: 10px;
    line-height: 1.4;
  }
  .ramp .mid {
    text-align: center;
  }
  .ramp .end {
    text-align: right;
  }
  .key {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .swatch {
    display: inline-block;
    width: 14px;
    height: 10px;
    border-radius: 2px;
  }
  .swatch.incomplete {
    box-sizing: border-box;
    background: ${unsafeCSS(heatFillCss(0.5, true))};
    border: 1.5px dashed var(--_fk-color-muted);
  }
  .swatch.line {
    height: 0;
    border-top: 1.5px solid var(--_fk-color-muted);
  }
  .swatch.line.mean {
    border-top: 4px solid var(--_fk-color-accent);
  }
`;
