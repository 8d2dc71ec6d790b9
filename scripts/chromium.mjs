// The system Chromium every headless run uses (tests, benchmarks, framework apps): test tools
// cannot download their own browser on our machines. `CHROME_PATH` first, then the usual places.
import { existsSync } from 'node:fs';

/** Where Chromium or Chrome is installed on Debian, Ubuntu, Fedora and macOS. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The path of the Chromium to use, or null when there is none. */
export function findChromium() {
  if (process.env.CHROME_PATH) return existsSync(process.env.CHROME_PATH) ? process.env.CHROME_PATH : null;
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** What to do when there is none, in one line. */
export const CHROMIUM_HINT =
  'Chromium not found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH to a Chrome or Chromium binary.';

/** Path of the Chromium binary; throws with the hint when there is none. */
export function chromiumPath() {
  const path = findChromium();
  if (!path) throw new Error(process.env.CHROME_PATH ? `CHROME_PATH=${process.env.CHROME_PATH} does not exist. ${CHROMIUM_HINT}` : CHROMIUM_HINT);
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
