// `groq-sdk` through Groq's documented batch flow (console.groq.com/docs/batch, "Node.js" tab):
// files.create with a read stream, batches.create, poll batches.retrieve, files.content, and
// batches.list / batches.cancel. Expectations come from that guide and the SDK's types
// (reference more-providers §2), not from the emulator.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Groq from 'groq-sdk';
import { VERSION } from 'groq-sdk/version';
import { ROOT, jsonLines, pollUntil, run } from './common.mjs';

const MODEL = 'llama-3.1-8b-instant';
const ENDPOINT = '/v1/chat/completions';
const IDS = ['request-1', 'request-2', 'request-3'];
const TERMINAL = ['completed', 'failed', 'expired', 'cancelled'];

const groq = new Groq({ apiKey: 'gsk-test', baseURL: `${ROOT}/groq`, maxRetries: 0 });

function writeRequests() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'groq-')), 'batch_file.jsonl');
  const lines = IDS.map((id) => ({
    custom_id: id,
    method: 'POST',
    url: ENDPOINT,
    body: { model: MODEL, messages: [{ role: 'user', content: `What is ${id}?` }] },
  }));
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

async function main() {
  const file = await groq.files.create({ purpose: 'batch', file: fs.createReadStream(writeRequests()) });
  assert.equal(file.purpose, 'batch');
  assert.equal(file.filename, 'batch_file.jsonl');
  const batch = await groq.batches.create({
    completion_window: '24h',
    endpoint: ENDPOINT,
    input_file_id: file.id,
  });
  assert.equal(batch.status, 'validating');
  assert.equal(batch.input_file_id, file.id);
  assert.equal(batch.expires_at - batch.created_at, 24 * 3600);
  const { value: done, seen } = await pollUntil(
    () => groq.batches.retrieve(batch.id),
    (b) => b.status,
    (b) => TERMINAL.includes(b.status),
  );
  assert.equal(done.status, 'completed');
  const response = await groq.files.content(done.output_file_id);
  const rows = jsonLines(await response.text());
  for (const row of rows) {
    assert.equal(row.error, null);
    assert.equal(row.response.status_code, 200);
    assert.equal(row.response.body.model, MODEL);
    assert.equal(row.response.body.choices[0].message.role, 'assistant');
  }
  const info = await groq.files.info(done.output_file_id);
  assert.equal(info.purpose, 'batch_output');
  // Requests that failed are in the error file, one line each with a non-200 response.
  const errors = done.error_file_id
    ? jsonLines(await (await groq.files.content(done.error_file_id)).text())
    : [];
  for (const row of errors) assert.ok(row.error !== null || row.response.status_code !== 200);
  const second = await groq.batches.create({ completion_window: '7d', endpoint: ENDPOINT, input_file_id: file.id });
  assert.equal(second.expires_at - second.created_at, 7 * 86400);
  const listed = await groq.batches.list();
  const cancelled = await groq.batches.cancel(second.id);
  return {
    sdk_version: VERSION,
    file_id: file.id,
    batch_id: batch.id,
    statuses: seen,
    counts: done.request_counts,
    output_custom_ids: rows.map((r) => r.custom_id).sort(),
    error_custom_ids: errors.map((r) => r.custom_id).sort(),
    listed: listed.data.map((b) => b.id),
    cancel: { id: cancelled.id, status: cancelled.status },
  };
}

run(main);
