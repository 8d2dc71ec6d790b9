import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const funnelkitTags = ['funnel-chart', 'cohort-chart', 'anomaly-chart', 'kpi-card', 'kpi-grid'];

export default defineConfig({
  plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => funnelkitTags.includes(tag) } } })],
});
