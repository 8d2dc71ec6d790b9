/** Defines a tag once: loading a registration module twice (two bundles, HMR) must not throw. */
export function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
