// Drives the `openai` npm package through the Batch + Files lifecycle against the emulator.
//
// Run by tests/providers/test_openai_node.py with EMU_URL set to the emulator's /v1 base URL and
// the emulator configured with timing "polls:1" (each retrieve moves a batch one phase), so no
// step depends on wall-clock time. Expectations come from the OpenAI Batch reference and the
// SDK's own types, not from the emulator. Prints one JSON summary line on success; any failed
// assertion exits non-zero with the message on stderr.

import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import { VERSION } from 'openai/version';

const BASE = process.env.EMU_URL;
assert.ok(BASE, 'EMU_URL must be set to the emulator base URL ending in /v1');
const ROOT = BASE.replace(/\/v1\/?$/, '');
const ENDPOINT = '/v1/chat/completions';
const CUSTOM_IDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const LIFECYCLE = ['in_progress', 'finalizing', 'completed'];
const MAX_POLLS = 10;

const client = new OpenAI({ apiKey: 'sk-test', baseURL: BASE, maxRetries: 0, timeout: 20_000 });

function requestLine(customId) {
  return JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: ENDPOINT,
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Say ${customId}` }] },
  });
}

async function upload() {
  const payload = Buffer.from(CUSTOM_IDS.map(requestLine).join('\n') + '\n');
  const file = await client.files.create({
    file: await toFile(payload, 'requests.jsonl'),
    purpose: 'batch',
  });
  assert.equal(file.object, 'file');
  assert.equal(file.purpose, 'batch');
  assert.equal(file.filename, 'requests.jsonl');
  assert.equal(file.bytes, payload.length);
  assert.match(file.id, /^file-/);
  return file;
}

async function create(fileId, tag) {
  const batch = await client.batches.create({
    input_file_id: fileId,
    endpoint: ENDPOINT,
    completion_window: '24h',
    metadata: { tag },
  });
  assert.equal(batch.object, 'batch');
  assert.match(batch.id, /^batch_/);
  assert.equal(batch.status, 'validating');
  assert.equal(batch.endpoint, ENDPOINT);
  assert.equal(batch.input_file_id, fileId);
  assert.equal(batch.completion_window, '24h');
  assert.deepEqual(batch.metadata, { tag });
  assert.equal(batch.expires_at - batch.created_at, 24 * 3600);
  return batch;
}

async function runToCompletion(batchId) {
  const seen = [];
  let batch;
  for (let i = 0; i < MAX_POLLS; i += 1) {
    batch = await client.batches.retrieve(batchId);
    seen.push(batch.status);
    if (batch.status === 'completed') break;
  }
  assert.deepEqual(seen, LIFECYCLE, 'one phase per retrieve under polls:1');
  const counts = batch.request_counts;
  assert.deepEqual(
    { total: counts.total, completed: counts.completed, failed: counts.failed },
    { total: CUSTOM_IDS.length, completed: CUSTOM_IDS.length, failed: 0 },
  );
  assert.ok(batch.output_file_id, 'a completed batch names its output file');
  for (const key of ['in_progress_at', 'finalizing_at', 'completed_at']) {
    assert.equal(typeof batch[key], 'number', `${key} is set once completed`);
  }
  assert.ok(batch.in_progress_at <= batch.finalizing_at);
  assert.ok(batch.finalizing_at <= batch.completed_at);
  return { batch, seen };
}

async function download(batch) {
  const meta = await client.files.retrieve(batch.output_file_id);
  assert.equal(meta.purpose, 'batch_output');
  const response = await client.files.content(batch.output_file_id);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.equal(Buffer.byteLength(text), meta.bytes, 'download size matches the file object');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, CUSTOM_IDS.length);
  const rows = lines.map((line) => JSON.parse(line));
  for (const row of rows) {
    assert.match(row.id, /^batch_req_/);
    assert.equal(row.error, null);
    assert.equal(row.response.status_code, 200);
    assert.equal(typeof row.response.request_id, 'string');
    assert.equal(row.response.body.object, 'chat.completion');
    assert.equal(row.response.body.choices[0].message.role, 'assistant');
  }
  const customIds = rows.map((row) => row.custom_id).sort();
  assert.deepEqual(customIds, [...CUSTOM_IDS].sort(), 'every custom_id exactly once');
  return customIds;
}

async function listAll(expectedNewestFirst) {
  const ids = [];
  for await (const batch of client.batches.list({ limit: 1 })) {
    ids.push(batch.id);
    assert.ok(ids.length <= 10, 'pagination must end');
  }
  assert.deepEqual(ids, expectedNewestFirst, 'list is newest first across pages');
  const firstPage = await client.batches.list({ limit: 1 });
  assert.equal(firstPage.has_more, true);
  assert.equal(firstPage.hasNextPage(), true);
  let pages = 0;
  for await (const page of firstPage.iterPages()) {
    pages += 1;
    assert.equal(page.data.length, 1, 'limit=1 gives one batch per page');
    assert.ok(pages <= 10, 'pagination must end');
  }
  assert.equal(pages, expectedNewestFirst.length);
  return { ids, pages };
}

async function advanceClock(seconds) {
  const before = await (await fetch(`${ROOT}/_emulator/clock`)).json();
  const res = await fetch(`${ROOT}/_emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  assert.equal(res.status, 200);
  const after = await res.json();
  assert.ok(after.now - before.now >= seconds, 'control plane moved the clock');
}

async function cancel(batchId) {
  const cancelled = await client.batches.cancel(batchId);
  assert.equal(cancelled.id, batchId);
  assert.ok(['cancelling', 'cancelled'].includes(cancelled.status), cancelled.status);
  assert.equal(typeof cancelled.cancelling_at, 'number');
  await advanceClock(60);
  const later = await client.batches.retrieve(batchId);
  assert.equal(later.status, 'cancelled');
  assert.equal(typeof later.cancelled_at, 'number');
  assert.ok(later.cancelled_at >= later.cancelling_at);
  return { first: cancelled.status, final: later.status };
}

async function main() {
  const file = await upload();
  const first = await create(file.id, 'first');
  const { batch: done, seen } = await runToCompletion(first.id);
  const outputCustomIds = await download(done);
  const second = await create(file.id, 'second');
  const third = await create(file.id, 'third');
  const listing = await listAll([third.id, second.id, first.id]);
  const cancelResult = await cancel(second.id);
  const summary = {
    sdk_version: VERSION,
    file_id: file.id,
    created: [first.id, second.id, third.id],
    statuses: seen,
    counts: done.request_counts,
    listed: listing.ids,
    pages: listing.pages,
    cancel: cancelResult,
    cancelled_id: second.id,
    output_file_id: done.output_file_id,
    output_custom_ids: outputCustomIds,
  };
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exit(1);
});
