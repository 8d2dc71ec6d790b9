/**
 * Vega's middle layer: its expression functions, with the dataflow, loader and formats under them.
 * The second of the three steps in which {@link loadVega} evaluates Vega.
 * @module
 */
import 'vega-functions';
