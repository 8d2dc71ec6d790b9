#!/usr/bin/env node
// `npm start` and `npm test` run this first, so that on a fresh clone with Node 20 those two
// commands do all their set-up themselves:
//  - dependencies: `npm ci` when node_modules is missing or older than package-lock.json (npm's
//    own hidden lockfile, node_modules/.package-lock.json, is written at each install);
//  - for `test`, Chromium: CHROME_PATH or a system one; none, and running as root on Debian:
//    `apt-get install chromium` (and CJK fonts); none otherwise: one line saying what to install.
// Usage: node scripts/setup.mjs [start|test]
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_HINT, findChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] ?? 'start';
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error(existsSync(installed) ? 'setup: package-lock.json changed since the last install: npm ci' : 'setup: no node_modules yet: npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

if (purpose === 'test' && !findChromium()) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && !process.env.CHROME_PATH && existsSync('/usr/bin/apt-get')) {
    console.error("setup: no Chromium: installing Debian's chromium");
    run('apt-get', ['update', '-qq']);
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-noto-cjk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!findChromium()) {
    console.error(CHROMIUM_HINT);
    process.exit(1);
  }
}
