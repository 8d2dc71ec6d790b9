// `npm start` and `npm test` set themselves up (scripts/setup.mjs): here, the Chromium part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const setup = (env: Record<string, string>) => spawnSync(process.execPath, ['scripts/setup.mjs', 'test'], { env: { ...process.env, ...env }, encoding: 'utf8' });

test('with no Chromium where CHROME_PATH points, the tests stop with one line saying what to install', () => {
  const result = setup({ CHROME_PATH: '/nowhere/chromium' });
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim(), 'Chromium not found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROME_PATH to a Chrome or Chromium binary.');
});

test('a CHROME_PATH that exists is taken as it is, and nothing is installed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-chrome-'));
  const fake = join(dir, 'chrome');
  writeFileSync(fake, '#!/bin/sh\n');
  chmodSync(fake, 0o755);
  const result = setup({ CHROME_PATH: fake });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
});
