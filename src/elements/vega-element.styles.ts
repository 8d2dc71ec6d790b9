import { css } from 'lit';

/** The chart box, its overlay and the tooltip of the widgets with a Vega view (`VegaElement`). */
export const chartStyles = css`
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
    height: var(--_fk-height);
  }
  .plot[hidden],
  [part='chart'][hidden] {
    display: none;
  }
  [part='skeleton'] {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  /* As tall as a summary line (13 px text with an 18 px figure); the chart box as the chart. */
  .skeleton-line {
    font-size: 13px;
  }
  .skeleton-line span {
    display: inline-block;
    width: 40%;
    font-size: 18px;
    border-radius: 4px;
    background: color-mix(in srgb, var(--_fk-color-grid) 60%, transparent);
  }
  .skeleton-chart {
    min-height: 120px;
    height: var(--_fk-height);
    border-radius: 4px;
    background: color-mix(in srgb, var(--_fk-color-grid) 35%, transparent);
  }
  @media (prefers-reduced-motion: no-preference) {
    [part='skeleton'] {
      animation: fk-pulse 1.6s ease-in-out infinite;
    }
  }
  @keyframes fk-pulse {
    50% {
      opacity: 0.6;
    }
  }
  /* Buttons laid over chart marks (cohort cells, breakdown bars) so a keyboard reaches them.
     The Vega marks under them keep the pointer (tooltip, click): the buttons are for focus. */
  .mark-buttons {
    position: absolute;
    inset: 0;
    pointer-events: none;
  }
  .mark-button {
    position: absolute;
    box-sizing: border-box;
    margin: 0;
    padding: 0;
    background: none;
    border: 0;
    border-radius: 2px;
    pointer-events: none;
  }
  .mark-button:focus-visible {
    outline: 2px solid var(--_fk-color-text);
    outline-offset: 1px;
    box-shadow: 0 0 0 1px var(--_fk-color-background) inset;
  }
  [part='tooltip'] {
    position: absolute;
    z-index: 10;
    pointer-events: none;
    max-width: 320px;
    padding: 6px 8px;
    font-size: 12px;
    color: var(--_fk-color-text);
    background: var(--_fk-color-background);
    border: var(--_fk-border);
    border-radius: 6px;
    box-shadow: 0 4px 12px rgb(0 0 0 / 0.15);
    overflow-wrap: anywhere;
  }
  [part='tooltip'] .tip-title {
    font-weight: 600;
    margin-bottom: 4px;
  }
  [part='tooltip'] td:first-child {
    color: var(--_fk-color-muted);
    padding-right: 8px;
  }
`;
