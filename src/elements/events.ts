/**
 * The events every FunnelKit element fires, and how a failed load becomes an error event's detail.
 * @module
 */
import type { View } from 'vega';
import type { RuleEvaluation, RuleState } from '../analytics/anomaly/view-model.js';
import { ContractError } from '../analytics/contract-error.js';
import { SourceError } from './controllers/contract-source.js';

/** Whether a view was created (`embed`) or only given new data and size (`update`). */
export type DrawMode = 'embed' | 'update';

/** Detail of `funnelkit-error`. */
export interface FunnelKitErrorDetail {
  /** Human-readable problem, without the path. */
  message: string;
  /** JSON pointer into the contract, or `` when the problem is not in the contract (a failed fetch). */
  path: string;
  /** The underlying error. */
  error: unknown;
  /**
   * Whether the problem is one a person can act on (the contract, its data, a fetch). An
   * unexpected failure's own text goes to this detail and the console, never to the screen.
   */
  expected: boolean;
}

/** Detail of `funnelkit-render`. */
export interface FunnelKitRenderDetail {
  /** The Vega view now on screen (null for a widget state drawn without a chart). */
  view: View | null;
  /** Whether the view was created (`embed`) or only given new data (`update`). */
  mode: DrawMode;
  /** `ready`: a view is drawn; `empty`: the contract has no data in range, and nothing is drawn. */
  state: 'ready' | 'empty';
  /**
   * How long the load behind this render took, stage by stage, in milliseconds: `dataMs` reading
   * the contract and downloading its data, `computeMs` parsing and computing the view model (in
   * the Worker or on the page), `drawMs` drawing it. Absent for a redraw (a resize, a theme switch).
   */
  timings?: { dataMs: number; computeMs: number; drawMs: number };
}

/** Detail of `anomaly-point-click`: the point, and every rule's verdict on it. */
export interface AnomalyPointClickDetail {
  /** The series' key (the split value; `''` for an unsplit series). */
  series: string;
  /** Period label in the contract's zone (`2026-03-06`). */
  period: string;
  /** Period start, epoch ms. */
  start: number;
  value: number | null;
  /** One evaluation per rule, in the rules' order. */
  rules: RuleEvaluation[];
}

/** One rule on one series whose state now is not what it was at the previous render. */
export interface AnomalyRuleStateChange {
  /** The rule's id and name. */
  rule: string;
  name: string;
  /** The series' key. */
  series: string;
  state: RuleState;
  /** Null: not shown before (the first render, a new rule or series). */
  previous: RuleState | null;
}

/** Detail of `anomaly-state-change`. */
export interface AnomalyStateChangeDetail {
  /** The widget's overall state now, and at the previous render (null on the first). */
  state: RuleState;
  previousState: RuleState | null;
  changes: AnomalyRuleStateChange[];
}

/** Events every FunnelKit element fires. */
export interface FunnelKitEventMap {
  'funnelkit-error': CustomEvent<FunnelKitErrorDetail>;
  'funnelkit-render': CustomEvent<FunnelKitRenderDetail>;
}

/** The detail for a problem: a {@link ContractError} names its JSON path, anything else has none. */
export function errorDetail(error: unknown): FunnelKitErrorDetail {
  if (error instanceof ContractError) return { message: error.detail, path: error.path, error, expected: true };
  if (error instanceof SourceError) return { message: error.message, path: '', error, expected: true };
  console.error('FunnelKit: unexpected error', error);
  return { message: error instanceof Error ? error.message : String(error), path: '', error, expected: false };
}

declare global {
  // Typed `addEventListener('funnelkit-error', …)` on any element.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends FunnelKitEventMap {}
}
