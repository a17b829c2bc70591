// The model check CI relies on must fail on a bad model, not only pass on good ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = path.resolve('www/tools/validate-models.mjs');

test('validate-models fails on a model with a validation error', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'loupe-validate-'));
  const good = await readFile('models/band-flat-us7.glb');
  // Point the POSITION accessor past its buffer view: an error the validator must report.
  const jsonLength = good.readUInt32LE(12);
  const doc = JSON.parse(good.subarray(20, 20 + jsonLength).toString('utf8'));
  doc.accessors[0].count *= 1000;
  let json = Buffer.from(JSON.stringify(doc));
  json = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
  const bin = good.subarray(20 + jsonLength);
  const header = Buffer.alloc(20);
  header.write('glTF', 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(20 + json.length + bin.length, 8);
  header.writeUInt32LE(json.length, 12);
  header.write('JSON', 16);
  await writeFile(path.join(dir, 'broken.glb'), Buffer.concat([header, json, bin]));
  await assert.rejects(run('node', [script, dir]), (err) => {
    assert.equal(err.code, 1);
    assert.match(err.stdout, /FAIL .*broken\.glb: [1-9]\d* errors/);
    return true;
  });
});

test('validate-models passes the shipped catalogue', async () => {
  const { stdout } = await run('node', [script, 'models']);
  assert.match(stdout, /validate-models: (\d+) files checked, 0 failed/);
  assert.ok(Number(stdout.match(/(\d+) files checked/)[1]) >= 11);
});
