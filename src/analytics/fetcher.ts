/**
 * The fetch every widget uses for `src` and `data.url`: the browser's, or one the page sets with
 * {@link setFetch} (an authenticated portal adds headers or credentials there), with the element's
 * `fetchOptions` on top. URLs in error messages are shown without their query string or user
 * info, where tokens live.
 * @module
 */

/** What FunnelKit calls to fetch: `fetch`'s signature. */
export type FetchLike = (input: URL | string, init?: RequestInit) => Promise<Response>;

let pageFetch: FetchLike | null = null;

/**
 * Sets the page-wide fetch for every widget's `src` and `data.url` (null restores the browser's):
 * `setFetch((url, init) => fetch(url, { ...init, credentials: 'include', headers: { Authorization: token } }))`.
 */
export function setFetch(fetchImpl: FetchLike | null): void {
  pageFetch = fetchImpl;
}

/** The fetch in force: the page's, else the global one (looked up at call time, so tests can stub it). */
export function currentFetch(): FetchLike {
  return pageFetch ?? ((input, init) => fetch(input, init));
}

/**
 * Whether a fetch made anywhere (a Worker included) behaves as this page's: no {@link setFetch}
 * and the browser's own `fetch`, not one the page wrapped (an auth library, a test stub), which a
 * Worker would not see.
 */
export function fetchIsNative(): boolean {
  if (pageFetch !== null || typeof fetch !== 'function') return false;
  return /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(fetch));
}

/** A URL fit for an error message: no user info, and the query string elided (`?…`). */
export function showUrl(url: URL | string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return String(url).replace(/[?#][\s\S]*$/, '?…');
  }
  const copy = new URL(parsed.href);
  copy.username = '';
  copy.password = '';
  copy.search = '';
  copy.hash = '';
  return `${copy.href}${parsed.search ? '?…' : ''}`;
}
