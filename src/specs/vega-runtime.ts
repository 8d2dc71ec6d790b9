/**
 * A chart's Vega-Lite spec to what a Vega view runs: Vega-Lite compiles it to a Vega spec, and
 * Vega parses that to its runtime description, with expressions kept as syntax trees that
 * vega-interpreter evaluates (no `Function`, so no `unsafe-eval` under a Content-Security-Policy).
 *
 * Pure and DOM-free. The page's compute Worker runs it when it is free (on a cold page Vega-Lite's
 * compile is a task of 45-75 ms and Vega's parse another of 20-40 ms, in which the page could not
 * answer input); the runtime is plain data, so it crosses back by structured cloning. Where there
 * is no free Worker the page runs it itself, a step per task.
 * @module
 */
import { expressionFunction, parse, type Runtime, type Spec as VegaSpec } from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import { addVegaFormats } from './vega-formats.js';

export type { Runtime };

// The parser must know the functions our specs name.
addVegaFormats({ expressionFunction });

/** Vega-Lite's compile: the Vega spec of a Vega-Lite spec drawn with `config`. */
export function compileVegaLite(spec: TopLevelSpec, config: Config): VegaSpec {
  return compile(spec, { config }).spec as VegaSpec;
}

/** Vega's parse, expressions kept as syntax trees for vega-interpreter. */
export function parseVega(spec: VegaSpec): Runtime {
  return parse(spec, undefined, { ast: true });
}

/** Both steps: the runtime a `new View(runtime, { expr: expressionInterpreter })` runs. */
export function vegaRuntime(spec: TopLevelSpec, config: Config): Runtime {
  return parseVega(compileVegaLite(spec, config));
}
