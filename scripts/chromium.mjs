// The system Chromium every headless run uses (tests, benchmarks): test tools cannot download
// their own browser on our machines. Honours CHROME_PATH, else Debian's /usr/bin/chromium.
import { existsSync } from 'node:fs';

/** Path of the Chromium binary; throws with a hint when it is missing. */
export function chromiumPath() {
  const path = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}; install Debian's chromium or set CHROME_PATH.`);
  return path;
}

/** Headless flags: no sandbox or GPU, no network chatter, and no throttling of background pages. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Test pages run side by side; a backgrounded page must still get frames and timers.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];
