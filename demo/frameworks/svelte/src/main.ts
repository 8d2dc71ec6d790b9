import { mount } from 'svelte';
import type {} from 'funnelkit/types/svelte'; // template typings for the FunnelKit tags
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
