import { afterNextRender, Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import type { FunnelStepClickDetail } from 'funnelkit/funnel-chart.js';
import { contract } from './contract';

@Component({
  selector: 'app-root',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <main>
      <h1>FunnelKit in Angular</h1>
      <funnel-chart id="lazy" [contract]="contract" (funnel-step-click)="onStepClick($event)"></funnel-chart>
      <p>Clicked: <output id="lazy-clicked">{{ clicked() }}</output></p>
    </main>
  `,
})
export class App {
  protected readonly contract = contract;
  protected readonly clicked = signal('');

  constructor() {
    // Code splitting: the tag is rendered with its contract first; the widget module loads after.
    afterNextRender(() => void import('funnelkit/funnel-chart.js'));
  }

  protected onStepClick(event: Event): void {
    const { detail } = event as CustomEvent<FunnelStepClickDetail>;
    this.clicked.set(`${detail.name}: ${detail.count}`);
  }
}
