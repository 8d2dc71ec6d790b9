/**
 * The status line above a widget's chart: loading, no data, or what went wrong and where in the
 * contract, saying when the last good view is still shown.
 * @module
 */
import { html, nothing, type TemplateResult } from 'lit';
import { message } from '../specs/messages.js';
import type { FunnelKitErrorDetail } from './events.js';

export function statusLine(state: string, problem: FunnelKitErrorDetail | null, keptView: boolean, locale: string): TemplateResult | typeof nothing {
  // Loading over a view already shown says nothing until it takes long ({@link progressLine}).
  if (state === 'loading' && keptView) return nothing;
  if (state === 'loading' || state === 'empty') {
    return html`<div part="status" role="status" data-state=${state}>${message(state, locale)}</div>`;
  }
  if (state !== 'error' || !problem) return nothing;
  return html`<div part="status" role="alert" data-state="error">
    <strong>${message('error', locale)}:</strong> ${problem.expected ? problem.message : message('unexpected', locale)}
    ${problem.path ? html`<br />${message('errorAt', locale)} <code>${problem.path}</code>` : nothing}
    ${keptView ? html`<br />${message('keptLastView', locale)}` : nothing}
  </div>`;
}

/** What a long load is doing. */
export type ProgressStage = 'data' | 'compute' | 'draw';

const STAGE_WORDS = { data: 'stageData', compute: 'stageCompute', draw: 'stageDraw' } as const;

/** The stage of a load that has taken a while, over the view underneath (or its placeholder). */
export function progressLine(stage: ProgressStage, locale: string): TemplateResult {
  return html`<div part="status" role="status" data-state="loading" data-stage=${stage}>
    <span class="spinner" aria-hidden="true"></span>${message(STAGE_WORDS[stage], locale)}
  </div>`;
}
