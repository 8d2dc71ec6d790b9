// Shared fixtures for the widgets' element tests.
import { fixture, oneEvent, waitUntil, type html } from '@open-wc/testing';

type Template = ReturnType<typeof html>;

/** The element of `template`, once its first view is drawn. */
export async function rendered<T extends Element>(template: Template): Promise<T> {
  const el = await fixture<T>(template);
  await oneEvent(el, 'funnelkit-render');
  return el;
}

/** The element of `template`, once it reaches `state` (`empty`, `error`…) and has rendered it. */
export async function settled<T extends HTMLElement & { state: string; updateComplete: Promise<boolean> }>(template: Template, state: string): Promise<T> {
  const el = await fixture<T>(template);
  await waitUntil(() => el.state === state, `never reached ${state}`, { timeout: 5000 });
  await el.updateComplete;
  return el;
}

/** Every match of `selector` in the element's shadow root. */
export const all = (el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll(selector)];

/** The cells of the visually hidden data table, row by row. */
export const tableRows = (el: Element) => all(el, '.visually-hidden tbody tr').map((r) => [...r.children].map((c) => c.textContent));
