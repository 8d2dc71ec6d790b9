/**
 * Lazy imports shared by every caller: the page's Vega, a Worker's pipelines, a format's reader.
 * @module
 */

/**
 * A loader that runs `load` on its first call and hands every later call the same promise, so a
 * module is fetched and evaluated once. Keeping the promise matters beyond fetching: Chromium
 * settled a second `import()` of an already loaded chunk 135–200 ms later, in a Worker busy with
 * nothing else. A load that fails (a chunk the network dropped) is forgotten, so the next call
 * tries again instead of failing for good.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = null;
      throw error;
    }));
}
