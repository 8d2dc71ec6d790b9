#!/usr/bin/env node
// ClickHouse for the warehouse tests and the benchmark: Debian's `clickhouse-server` (18.16) started
// as ordinary processes on loopback, each with its own config file, ports and data folder under a
// temporary directory, and stopped (folder removed) at the end.
//
//   import { startClickHouse } from '../../scripts/clickhouse.mjs';
//   const cluster = await startClickHouse({ shards: 2 });   // cluster.url: the first shard
//   await cluster.createEventsTable('events', columns, 'user'); // local table per shard + Distributed
//   …
//   await cluster.stop();
//
// `shards: 1` is the quick single-server mode; FUNNELKIT_CLICKHOUSE_SHARDS=1 picks it for the tests.
// By hand: `node scripts/clickhouse.mjs --shards 2` starts a cluster and prints its URLs until ^C.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLUSTER = 'funnelkit';
const SERVER = '/usr/sbin/clickhouse-server';

/** Whether Debian's clickhouse-server is installed (`.ci/run` installs it when absent). */
export function hasClickHouse() {
  return existsSync(SERVER);
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const xmlEscape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function configXml({ dir, http, tcp, interserver, shards }) {
  const remote = shards
    .map((s) => `      <shard><replica><host>127.0.0.1</host><port>${s.tcp}</port></replica></shard>`)
    .join('\n');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${xmlEscape(join(dir, 'server.log'))}</log><errorlog>${xmlEscape(join(dir, 'server.err.log'))}</errorlog><size>100M</size><count>1</count></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>${xmlEscape(join(dir, 'data'))}/</path>
  <tmp_path>${xmlEscape(join(dir, 'tmp'))}/</tmp_path>
  <user_files_path>${xmlEscape(join(dir, 'user_files'))}/</user_files_path>
  <format_schema_path>${xmlEscape(join(dir, 'format_schemas'))}/</format_schema_path>
  <users_config>${xmlEscape(join(dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <${CLUSTER}>
${remote}
    </${CLUSTER}>
  </remote_servers>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
`;
}

const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitReady(url, child, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode}: ${log()}`);
    try {
      const response = await fetch(`${url}/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server did not answer at ${url} within 60 s: ${log()}`);
}

/**
 * Starts `shards` clickhouse-server processes (default 2) forming the cluster `funnelkit`, each
 * with its own folder under one temporary directory.
 * @returns {Promise<{ url: string, urls: string[], cluster: string, shards: number, sql(statement: string, url?: string): Promise<string>, createEventsTable(name: string, columns: Array<[string, string]>, shardKey: string): Promise<void>, dropEventsTable(name: string): Promise<void>, stop(): Promise<void> }>}
 */
export async function startClickHouse({ shards = 2 } = {}) {
  if (!hasClickHouse()) throw new Error(`${SERVER} is missing: apt-get install -y clickhouse-server (.ci/run does it)`);
  const root = mkdtempSync(join(tmpdir(), 'funnelkit-clickhouse-'));
  const nodes = [];
  for (let i = 0; i < shards; i++) nodes.push({ dir: join(root, `shard${i + 1}`), http: await freePort(), tcp: await freePort(), interserver: await freePort() });
  const children = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(() => child.kill("SIGKILL"), 1_000).unref();
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const node of nodes) {
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(node.dir, sub), { recursive: true });
      writeFileSync(join(node.dir, 'users.xml'), USERS_XML);
      writeFileSync(join(node.dir, 'config.xml'), configXml({ ...node, shards: nodes }));
      let output = '';
      const child = spawn(SERVER, [`--config-file=${join(node.dir, 'config.xml')}`], { cwd: node.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
      child.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
      children.push(child);
      node.url = `http://127.0.0.1:${node.http}`;
      node.log = () => output;
      node.child = child;
    }
    for (const node of nodes) await waitReady(node.url, node.child, node.log);
  } catch (error) {
    await stop();
    throw error;
  }
  const onExit = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', onExit);

  /** One statement over HTTP (POST body); the response text, or an Error with ClickHouse's message. */
  async function sql(statement, url = nodes[0].url) {
    const response = await fetch(url, { method: 'POST', body: statement });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text.trim()}`);
    return text;
  }

  return {
    url: nodes[0].url,
    urls: nodes.map((n) => n.url),
    cluster: CLUSTER,
    shards,
    sql,
    /**
     * `name` as a Distributed table over `${name}_local` on every shard, sharded by
     * `cityHash64(assumeNotNull(shardKey))`: the layout the README recommends. Columns are [name, ClickHouse type].
     * Names are test-owned; quoted with backquotes anyway.
     */
    async createEventsTable(name, columns, shardKey) {
      const q = (id) => `\`${String(id).replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
      const cols = columns.map(([c, t]) => `${q(c)} ${t}`).join(', ');
      for (const node of nodes) {
        await sql(`CREATE TABLE ${q(`${name}_local`)} (${cols}) ENGINE = MergeTree() ORDER BY tuple()`, node.url);
        await sql(`CREATE TABLE ${q(name)} AS ${q(`${name}_local`)} ENGINE = Distributed(${CLUSTER}, default, ${q(`${name}_local`)}, cityHash64(assumeNotNull(${q(shardKey)})))`, node.url);
      }
    },
    async dropEventsTable(name) {
      const q = (id) => `\`${String(id).replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
      for (const node of nodes) {
        await sql(`DROP TABLE IF EXISTS ${q(name)}`, node.url);
        await sql(`DROP TABLE IF EXISTS ${q(`${name}_local`)}`, node.url);
      }
    },
    async stop() {
      process.removeListener('exit', onExit);
      await stop();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--shards');
  const shards = at > 0 ? Number(process.argv[at + 1]) : 2;
  const cluster = await startClickHouse({ shards });
  console.log(JSON.stringify({ urls: cluster.urls, cluster: cluster.cluster }));
  const version = await cluster.sql('SELECT version()');
  console.error(`clickhouse-server ${version.trim()} × ${shards}; ^C stops`);
  process.on('SIGINT', async () => {
    await cluster.stop();
    process.exit(0);
  });
}
