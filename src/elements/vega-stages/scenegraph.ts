/**
 * Vega's bottom layer: its scenegraph, with its scales and the d3 modules under them. Imported
 * alone, a task before {@link ./functions.ts} and then `vega` itself ({@link loadVega}), so Vega's
 * module code runs in three tasks instead of one of 55-130 ms on a cold page.
 * @module
 */
import 'vega-scenegraph';
