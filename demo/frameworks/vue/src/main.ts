import { createApp } from 'vue';
import type {} from 'funnelkit/types/vue'; // template typings for the FunnelKit tags
import App from './App.vue';

createApp(App).mount('#app');
