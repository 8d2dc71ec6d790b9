/**
 * A fetch that never answers, for the Loading story: a static Storybook build has no server
 * to keep a request open, so requests to {@link PENDING_ORIGIN} (a reserved `.invalid` host
 * that no real request can reach) are held until their AbortSignal fires. Every other request
 * goes to the real fetch.
 */
export const PENDING_ORIGIN = 'https://pending.funnelkit-story.invalid';

/** Installs the interception; returns the function that removes it (a story `beforeEach` cleanup). */
export function holdPendingFetches(): () => void {
  const real = globalThis.fetch;
  const held: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(`${PENDING_ORIGIN}/`)) return real(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return new Promise<Response>((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')), {
        once: true,
      });
    });
  };
  globalThis.fetch = held;
  return () => {
    if (globalThis.fetch === held) globalThis.fetch = real;
  };
}
