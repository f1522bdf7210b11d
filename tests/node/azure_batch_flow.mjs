// `openai`'s AzureOpenAI through Microsoft's documented global-batch flow
// (learn.microsoft.com/azure/ai-foundry/openai/how-to/batch, JavaScript tab): files.create with
// purpose "batch", wait for the file to be processed, batches.create on "/chat/completions" with
// a global-batch deployment as the model, poll batches.retrieve, files.content of the output
// file, then batches.list and batches.cancel. Expectations come from that guide and the REST
// spec (reference more-providers §1), not from the emulator.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AzureOpenAI } from 'openai';
import { VERSION } from 'openai/version';
import { ROOT, MAX_POLLS, jsonLines, pollUntil, run } from './common.mjs';

const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o-batch';
const ENDPOINT = '/chat/completions';
const IDS = ['task-0', 'task-1', 'task-2'];
const TERMINAL = ['completed', 'failed', 'expired', 'cancelled'];
const FILE_READY = ['processed', 'error'];

const client = new AzureOpenAI({
  endpoint: ROOT,
  apiKey: 'azure-key',
  apiVersion: API_VERSION,
  maxRetries: 0,
});

function writeRequests() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'azure-')), 'test.jsonl');
  const lines = IDS.map((id) => ({
    custom_id: id,
    method: 'POST',
    url: ENDPOINT,
    body: { model: DEPLOYMENT, messages: [{ role: 'user', content: `When was ${id} founded?` }] },
  }));
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

// The guide sleeps between reads of the file until it is processed; here the emulator's clock
// moves instead (POST /_emulator/clock/advance), so nothing waits on wall time.
async function advanceClock(seconds) {
  const res = await fetch(`${ROOT}/_emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  assert.equal(res.status, 200);
}

async function waitUntilProcessed(fileId) {
  const seen = [];
  for (let i = 0; i < MAX_POLLS; i += 1) {
    const file = await client.files.retrieve(fileId);
    seen.push(file.status);
    if (FILE_READY.includes(file.status)) return { file, seen };
    await advanceClock(5);
  }
  assert.fail(`file never processed: ${JSON.stringify(seen)}`);
}

async function main() {
  const uploaded = await client.files.create({ file: fs.createReadStream(writeRequests()), purpose: 'batch' });
  assert.equal(uploaded.purpose, 'batch');
  assert.equal(uploaded.filename, 'test.jsonl');
  const { file, seen: fileStatuses } = await waitUntilProcessed(uploaded.id);
  assert.equal(file.status, 'processed');
  const batch = await client.batches.create({
    input_file_id: file.id,
    endpoint: ENDPOINT,
    completion_window: '24h',
  });
  assert.equal(batch.status, 'validating');
  assert.equal(batch.endpoint, ENDPOINT);
  const { value: done, seen } = await pollUntil(
    () => client.batches.retrieve(batch.id),
    (b) => b.status,
    (b) => TERMINAL.includes(b.status),
  );
  assert.equal(done.status, 'completed');
  const response = await client.files.content(done.output_file_id);
  const rows = jsonLines(await response.text());
  for (const row of rows) {
    assert.equal(row.response.status_code, 200);
    assert.equal(row.response.body.object, 'chat.completion');
    assert.equal(row.response.body.choices[0].message.role, 'assistant');
  }
  // Requests that failed are in the error file, one line each with a non-200 response.
  const errors = done.error_file_id
    ? jsonLines(await (await client.files.content(done.error_file_id)).text())
    : [];
  for (const row of errors) assert.ok(row.error !== null || row.response.status_code !== 200);
  const second = await client.batches.create({ input_file_id: file.id, endpoint: ENDPOINT, completion_window: '24h' });
  const listed = [];
  for await (const b of client.batches.list({ limit: 1 })) listed.push(b.id);
  const cancelled = await client.batches.cancel(second.id);
  return {
    sdk_version: VERSION,
    file_id: file.id,
    file_statuses: fileStatuses,
    batch_id: batch.id,
    statuses: seen,
    counts: done.request_counts,
    output_custom_ids: rows.map((r) => r.custom_id).sort(),
    error_custom_ids: errors.map((r) => r.custom_id).sort(),
    listed,
    cancel: { id: cancelled.id, status: cancelled.status },
  };
}

run(main);
