/**
 * Vega's scales, with the d3 modules under them (colour schemes, interpolators, time and number
 * formats). Imported alone, the first of the four steps in which {@link loadVega} evaluates Vega:
 * they are about half of what the scenegraph step evaluated, a task of 40-90 ms on a cold page.
 * @module
 */
import 'vega-scale';
