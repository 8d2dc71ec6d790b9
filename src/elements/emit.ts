/**
 * The one way FunnelKit elements fire events: bubbling and composed, so a listener on the page
 * hears them across the shadow root.
 */
export function emit<T>(target: EventTarget, name: string, detail: T): CustomEvent<T> {
  const event = new CustomEvent<T>(name, { bubbles: true, composed: true, detail });
  target.dispatchEvent(event);
  return event;
}
