/**
 * A Vega tooltip handler that draws inside the element's shadow root (so it follows the host's
 * theme and stacking) and writes every value with textContent: data text is never HTML.
 */
import type { TooltipHandler } from 'vega';

export function createTooltip(frame: HTMLElement, tip: HTMLElement): TooltipHandler {
  return (_handler, event, _item, value) => {
    if (value === null || value === undefined || value === '' || !(event instanceof MouseEvent)) {
      tip.hidden = true;
      return;
    }
    tip.replaceChildren();
    if (typeof value === 'object' && !Array.isArray(value)) {
      const { title, ...rest } = value as Record<string, unknown>;
      if (title !== undefined) {
        const heading = document.createElement('div');
        heading.className = 'tip-title';
        heading.textContent = String(title);
        tip.append(heading);
      }
      const table = document.createElement('table');
      for (const [key, v] of Object.entries(rest)) {
        const row = table.insertRow();
        row.insertCell().textContent = key;
        row.insertCell().textContent = typeof v === 'object' ? JSON.stringify(v) : String(v);
      }
      tip.append(table);
    } else {
      tip.textContent = Array.isArray(value) ? value.join(', ') : String(value);
    }
    tip.hidden = false;
    const box = frame.getBoundingClientRect();
    const x = event.clientX - box.left + 12;
    const y = event.clientY - box.top + 12;
    // Flip to the pointer's other side rather than overflow the widget.
    const flipX = x + tip.offsetWidth > box.width && x - tip.offsetWidth - 24 > 0;
    tip.style.left = `${flipX ? x - tip.offsetWidth - 24 : x}px`;
    tip.style.top = `${Math.max(0, Math.min(y, box.height - tip.offsetHeight))}px`;
  };
}
