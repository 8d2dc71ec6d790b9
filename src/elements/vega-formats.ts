/**
 * The page's Vega gets our Vega formats ({@link addVegaFormats}) before any spec naming them is
 * drawn. Vega itself is imported here only when they are registered (the first time a chart is
 * embedded), so that importing a widget module does not load Vega.
 * @module
 */
import { loadOnce } from '../analytics/load-once.js';
import { addVegaFormats } from '../specs/vega-formats.js';

/**
 * Registers the formats with Vega, loading Vega if it is not loaded yet. Call (and await) it before
 * embedding a spec that names them. Every call returns the same promise; a failed load (a chunk
 * the network dropped) is forgotten, so the next chart tries again rather than failing for good.
 */
export const registerVegaFormats: () => Promise<void> = loadOnce(() => import('vega').then(addVegaFormats));
