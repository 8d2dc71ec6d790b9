/**
 * Vega's scenegraph (marks, renderers, text measurement) and its data loader. Imported alone, a
 * task after {@link ./scale.ts} and before {@link ./functions.ts} and then `vega` itself
 * ({@link loadVega}), so Vega's module code runs in four tasks instead of one of 55-130 ms on a
 * cold page.
 * @module
 */
import 'vega-scenegraph';
