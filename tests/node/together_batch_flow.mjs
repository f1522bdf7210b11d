// `together-ai` through Together's documented batch flow (docs.together.ai/docs/batch-inference,
// TypeScript tab): files.upload(path, 'batch-api'), batches.create, poll batches.retrieve,
// files.content of output_file_id, then batches.list and batches.cancel. The SDK's upload
// (src/lib/upload.ts) is a form POST answered 302, a PUT of the bytes to the Location and a GET
// of the file: it never calls /files/{id}/preprocess. It reads its base URL from
// TOGETHER_API_BASE_URL, not from the client (the pytest side sets both). Expectations come from
// the docs and the SDK's types (reference more-providers §4), not from the emulator.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, jsonLines, pollUntil, run } from './common.mjs';

// The SDK's ESM build finds fs/path with a bare `require` (lib/node-unsafe-imports.mjs), which
// ESM lacks, so from `import` its upload always fails "File does not exists". Its CommonJS build
// works, as it does for any CommonJS or tsx-run caller: load that one, unmodified.
const require = createRequire(import.meta.url);
const { Together } = require('together-ai');
const { VERSION } = require('together-ai/version');

// Its upload then PUTs a file stream with the global fetch and no `duplex` option, which Node's
// fetch refuses since 18.14 ("RequestInit: duplex option is required when sending a body"),
// whatever the server. The one change made here: a global fetch that adds `duplex: 'half'` when
// the body is a stream, as Node requires; the SDK and every request it builds are untouched.
const nodeFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const streamed = init?.body && typeof init.body.pipe === 'function' && !init.duplex;
  return nodeFetch(input, streamed ? { ...init, duplex: 'half' } : init);
};

const MODEL = 'deepseek-ai/DeepSeek-V3';
const ENDPOINT = '/v1/chat/completions';
const IDS = ['request-1', 'request-2', 'request-3'];
const TERMINAL = ['COMPLETED', 'FAILED', 'EXPIRED', 'CANCELLED'];

const client = new Together({ apiKey: 'tg-test', baseURL: `${ROOT}/together/v1`, maxRetries: 0 });

function writeRequests() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'together-')), 'batch_input.jsonl');
  const lines = IDS.map((id) => ({
    custom_id: id,
    body: { model: MODEL, messages: [{ role: 'user', content: `Hello ${id}` }], max_tokens: 200 },
  }));
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

async function main() {
  const input = writeRequests();
  const uploaded = await client.files.upload(input, 'batch-api', false);
  assert.equal(uploaded.purpose, 'batch-api');
  assert.equal(uploaded.bytes, fs.statSync(input).size);
  const created = await client.batches.create({ endpoint: ENDPOINT, input_file_id: uploaded.id });
  const batch = created.job;
  assert.equal(batch.input_file_id, uploaded.id);
  assert.equal(batch.endpoint, ENDPOINT);
  const { value: done, seen } = await pollUntil(
    () => client.batches.retrieve(batch.id),
    (b) => b.status,
    (b) => TERMINAL.includes(b.status),
  );
  assert.equal(done.status, 'COMPLETED');
  const response = await client.files.content(done.output_file_id);
  const rows = jsonLines(await response.text());
  for (const row of rows) {
    assert.equal(row.response.status_code, 200);
    assert.equal(row.response.body.choices[0].message.role, 'assistant');
  }
  const second = (await client.batches.create({ endpoint: ENDPOINT, input_file_id: uploaded.id })).job;
  const listed = await client.batches.list();
  const cancelled = await client.batches.cancel(second.id);
  return {
    sdk_version: VERSION,
    file_id: uploaded.id,
    batch_id: batch.id,
    statuses: seen,
    error_file_id: done.error_file_id ?? null,
    output_custom_ids: rows.map((r) => r.custom_id).sort(),
    listed: listed.map((b) => b.id),
    cancel: { id: cancelled.id, status: cancelled.status },
  };
}

run(main);
