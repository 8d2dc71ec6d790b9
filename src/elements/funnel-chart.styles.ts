import { css } from 'lit';

/** Step labels laid over the funnel chart: wrap to two lines, truncate, keep a focus ring. */
export const funnelChartStyles = css`
  [part='summary'] {
    margin: 0;
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 12px;
    font-size: 13px;
    color: var(--_fk-color-muted);
  }
  [part='summary'] strong {
    font-size: 18px;
    color: var(--_fk-color-text);
  }
  [part='steps'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [part='step-label'] {
    position: absolute;
    box-sizing: border-box;
    display: flex;
    flex-direction: column;
    align-items: center;
    justify-content: flex-start;
    gap: 2px;
    padding: 2px 4px;
    margin: 0;
    font: 11px/1.3 var(--_fk-font-family);
    color: var(--_fk-color-muted);
    background: none;
    border: 0;
    border-radius: 4px;
    cursor: pointer;
    overflow: hidden;
  }
  .horizontal [part='step-label'] {
    align-items: flex-end;
    justify-content: center;
    text-align: right;
  }
  [part='step-label'] .name {
    display: -webkit-box;
    -webkit-box-orient: vertical;
    -webkit-line-clamp: var(--lines, 2);
    line-clamp: var(--lines, 2);
    overflow: hidden;
    max-width: 100%;
    text-align: inherit;
    overflow-wrap: anywhere;
  }
  .vertical [part='step-label'] .name {
    text-align: center;
  }
  [part='step-label']:hover .name {
    color: var(--_fk-color-text);
  }
  [part='step-label']:focus-visible {
    outline: 2px solid var(--_fk-color-accent);
    outline-offset: -2px;
  }
  [part='drop-badge'] {
    flex: none;
    font-size: 10px;
    font-weight: 600;
    line-height: 16px;
    white-space: nowrap;
    color: var(--_fk-color-alert);
  }
  [part='stuck-badge'] {
    flex: none;
    padding: 0 6px;
    font-size: 10px;
    font-weight: 600;
    line-height: 16px;
    white-space: nowrap;
    /* The bare warning token on its tint is 2:1 on light; toward the text colour it is 5.4:1
       (light) and 9.3:1 (dark). */
    color: color-mix(in srgb, var(--_fk-color-warning) 45%, var(--_fk-color-text));
    background: color-mix(in srgb, var(--_fk-color-warning) 14%, transparent);
    border-radius: 8px;
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
  }
`;
