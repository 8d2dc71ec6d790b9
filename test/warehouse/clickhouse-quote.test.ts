/**
 * ClickHouse's escapers (src/warehouse/clickhouse.ts) against the real server: every string
 * literal, number literal, identifier and bound parameter is sent to clickhouse-server (Debian's
 * 18.16) and read back equal — strings character for character, numbers bit for bit — and the
 * sharding check reads the engine definitions the server itself writes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ContractError } from '../../src/analytics/contract-error.js';
import { checkSharding, ClickHouseParams, clickHouseNumber, clickHouseString, describeClickHouse, queryClickHouse, quoteClickHouseIdent, quoteClickHouseTable } from '../../src/warehouse/clickhouse.js';
import { prng, startTestCluster, type TestCluster } from './support.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

/** The rows of one statement as the engine reads them (`queryClickHouse`: 64-bit integers as JSON numbers). */
const rows = (sql: string) => queryClickHouse(cluster.client, sql);

/** The IEEE-754 bytes of a double, little-endian, as upper-case hex (ClickHouse's `hex`). */
const bitsOf = (x: number) => Buffer.from(new Float64Array([x]).buffer).toString('hex').toUpperCase();

const STRINGS = [
  '',
  'plain',
  "it's",
  "\\'",
  '\\\\',
  '\\',
  'ends with a backslash\\',
  "'); DROP TABLE victims; --",
  "\\'); DROP TABLE victims; --",
  "x' OR '1'='1",
  'line\nbreak\r\nand\ttab',
  '\\n is not a newline',
  '`backquote` and "double"',
  '\u0001\u0007\u001b\u007f',
  'Ünïcödé, 中文, emoji 🎉',
  '%s %d {x:String} $1 ?',
  "''''",
  '\\x41 \\u0041 \\0',
  'a'.repeat(10_000),
];

test('clickHouseString: every string reads back as itself, alone and inside a condition; NUL is refused', async () => {
  for (const s of STRINGS) {
    const [row] = await rows(`SELECT ${clickHouseString(s)} AS s, length(${clickHouseString(s)}) AS bytes`);
    assert.equal(row.s, s, JSON.stringify(s));
    assert.equal(Number(row.bytes), Buffer.byteLength(s), `${JSON.stringify(s)}: bytes`);
  }
  // All at once, in one statement: no literal ends early and swallows the next.
  const list = STRINGS.map(clickHouseString).join(', ');
  const [all] = await rows(`SELECT [${list}] AS xs, has([${list}], ${clickHouseString("\\'")}) AS found, ${clickHouseString("x' OR '1'='1")} = 'x' AS injected`);
  assert.deepEqual(all.xs, STRINGS);
  assert.equal(Number(all.found), 1);
  assert.equal(Number(all.injected), 0);
  assert.throws(() => clickHouseString('a\u0000b'), TypeError);
  assert.throws(() => clickHouseString(1 as unknown as string), TypeError);
});

test('clickHouseNumber: tricky and random doubles keep every bit through the server; non-finite numbers are refused', async () => {
  const tricky = [0.1, 1e-300, -0, 0, 2 ** 53 + 2, -(2 ** 53 + 2), 2 ** 53, 2 ** 53 - 1, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 2.2250738585072014e-308, 1 / 3, -7, 1e21, 123456789.123456789, 1772323200000, -1772323200000.5];
  const r = prng(16);
  const random = Array.from({ length: 300 }, () => {
    const bytes = new Uint8Array(8).map(() => Math.floor(r() * 256));
    const x = new Float64Array(bytes.buffer)[0];
    return Number.isFinite(x) ? x : r();
  });
  const all = [...tricky, ...random];
  // One statement: each literal's bits (hex of its bytes; ClickHouse drops trailing zero bytes) and value.
  const [row] = await rows(`SELECT [${all.map((x) => `hex(reinterpretAsString(${clickHouseNumber(x)}))`).join(', ')}] AS bits, [${all.map(clickHouseNumber).join(', ')}] AS values`);
  const bits = row.bits as string[];
  const values = row.values as number[];
  all.forEach((x, i) => {
    assert.equal(bits[i].padEnd(16, '0'), bitsOf(x), `${x}: bits`);
    // …and the JSON the engine reads figures from gives the same number (-0 included).
    assert.ok(Object.is(values[i], x), `${x}: read back as ${values[i]}`);
  });
  for (const bad of [NaN, Infinity, -Infinity]) assert.throws(() => clickHouseNumber(bad), TypeError);
  assert.throws(() => clickHouseNumber('1' as unknown as number), TypeError);
});

test('quoteClickHouseIdent: any name is one column, created and read back by it; quoteClickHouseTable keeps a dot inside one name', async () => {
  const names = ['plain', 'a`b', 'back\\slash', 'ends\\', '`', "it's", 'sp ace', 'x; DROP TABLE victims; --', 'select', 'two\nlines', 'Ünï 中文', 'a.b', '"q"', '\\`'];
  const table = 'ident`s\\ table';
  await cluster.cluster.sql(`CREATE TABLE ${quoteClickHouseIdent(table)} (${names.map((n, i) => `${quoteClickHouseIdent(n)} UInt32 DEFAULT ${i}`).join(', ')}) ENGINE = Memory`);
  await cluster.cluster.sql(`INSERT INTO ${quoteClickHouseIdent(table)} (${quoteClickHouseIdent('plain')}) VALUES (0)`);
  const { columns } = await describeClickHouse(cluster.client, table);
  assert.deepEqual([...columns.keys()], names);
  const [row] = await rows(`SELECT ${names.map((n, i) => `${quoteClickHouseIdent(n)} AS c${i}`).join(', ')} FROM ${quoteClickHouseTable(['default', table])}`);
  names.forEach((n, i) => assert.equal(Number(row[`c${i}`]), i, JSON.stringify(n)));
  await cluster.cluster.sql(`DROP TABLE ${quoteClickHouseTable(table)}`);
  assert.throws(() => quoteClickHouseIdent(''), TypeError);
  assert.throws(() => quoteClickHouseIdent('a\u0000b'), TypeError);
  assert.throws(() => quoteClickHouseTable([]), TypeError);
  assert.throws(() => quoteClickHouseTable(['a', 'b', 'c']), TypeError);
  assert.equal(quoteClickHouseTable('db.t'), '`db.t`');
});

test('ClickHouseParams: each type written as a typed literal the server reads back; values stays empty', async () => {
  const params = new ClickHouseParams();
  const cases: Array<[string | number | boolean, 'VARCHAR' | 'DOUBLE' | 'BOOLEAN' | 'BIGINT', unknown, string]> = [
    ["\\'); DROP TABLE victims; --", 'VARCHAR', "\\'); DROP TABLE victims; --", 'String'],
    [42, 'VARCHAR', '42', 'String'],
    [0.1, 'DOUBLE', 0.1, 'Float64'],
    [-0, 'DOUBLE', -0, 'Float64'],
    [5e-324, 'DOUBLE', 5e-324, 'Float64'],
    [true, 'BOOLEAN', 1, 'UInt8'],
    [false, 'BOOLEAN', 0, 'UInt8'],
    [Number.MAX_SAFE_INTEGER, 'BIGINT', Number.MAX_SAFE_INTEGER, 'Int64'],
    [-Number.MAX_SAFE_INTEGER, 'BIGINT', -Number.MAX_SAFE_INTEGER, 'Int64'],
    [0, 'BIGINT', 0, 'Int64'],
  ];
  const bound = cases.map(([value, type]) => params.bind(value, type));
  const [row] = await rows(`SELECT ${bound.map((b, i) => `${b} AS v${i}, toTypeName(${b}) AS t${i}`).join(', ')}`);
  cases.forEach(([value, type, expected, typeName], i) => {
    assert.ok(Object.is(row[`v${i}`], expected), `${type} ${String(value)}: ${String(row[`v${i}`])}`);
    assert.equal(row[`t${i}`], typeName);
  });
  assert.deepEqual(params.values, [], 'nothing is bound: ClickHouse 18.16 has no query parameters');
  assert.throws(() => params.bind(1 as unknown as boolean, 'BOOLEAN'), TypeError);
  assert.throws(() => params.bind(2 ** 53, 'BIGINT'), TypeError);
  assert.throws(() => params.bind(1.5, 'BIGINT'), TypeError);
  assert.throws(() => params.bind(Infinity, 'DOUBLE'), TypeError);
  assert.throws(() => params.bind('a\u0000', 'VARCHAR'), TypeError);
});

test('checkSharding reads the engine the server writes: Distributed tables pass only when sharded by the entity column', async () => {
  await cluster.load('shard_src', [['user', 'VARCHAR'], ['amount', 'DOUBLE']], [], 'user');
  const engineOf = async (key: string) => {
    const name = `shard_by_${Math.abs(hash(key))}`;
    await cluster.cluster.sql(`CREATE TABLE ${quoteClickHouseIdent(name)} AS shard_src_local ENGINE = Distributed(funnelkit, default, shard_src_local, ${key})`);
    const { engine } = await describeClickHouse(cluster.client, name);
    await cluster.cluster.sql(`DROP TABLE ${quoteClickHouseIdent(name)}`);
    return engine;
  };
  const refused = (engine: string, entity: string) => assert.throws(() => checkSharding(engine, entity), (e: unknown) => e instanceof ContractError && e.path === '/fields/entity', `${engine} by ${entity}`);
  const by = await engineOf('cityHash64(assumeNotNull(`user`))');
  checkSharding(by, 'user');
  refused(by, 'amount');
  refused(by, 'use');
  // A string literal names no column: sharded by user, not by "amount".
  const literal = await engineOf("cityHash64(concat(ifNull(user, ''), 'amount'))");
  checkSharding(literal, 'user');
  refused(literal, 'amount');
  refused(await engineOf('rand()'), 'user');
  // Not Distributed (a MergeTree table, one server): nothing to check; no entity read: nothing either.
  checkSharding((await describeClickHouse(cluster.client, 'shard_src_local')).engine, 'user');
  checkSharding(by, undefined);
  // A quoted entity name with backquotes and backslashes, as the server writes it back.
  for (const name of ['u`s\\er', "it's", 'two\nlines\ttab']) {
    await cluster.load('shard_evil', [[name, 'VARCHAR']], [], name);
    const evil = (await describeClickHouse(cluster.client, 'shard_evil')).engine;
    checkSharding(evil, name);
    refused(evil, 'user');
    await cluster.drop('shard_evil');
  }
  await cluster.drop('shard_src');
});

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}
