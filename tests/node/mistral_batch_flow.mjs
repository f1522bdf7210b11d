// `@mistralai/mistralai` through Mistral's two documented batch flows: the file flow of the batch
// guide (docs.mistral.ai/capabilities/batch: files.upload with purpose "batch",
// batch.jobs.create with inputFiles, poll batch.jobs.get, files.download of outputFile) and the
// SDK's own examples/src/async_batch_jobs.ts (inline `requests`, results in `outputs`, read
// with `inline: true`), then
// batch.jobs.list and batch.jobs.cancel. The SDK validates every answer against its zod schemas,
// so each call returning at all checks the wire shape. Expectations come from those docs and the
// SDK's types (reference more-providers §3).

import assert from 'node:assert/strict';
import { Mistral } from '@mistralai/mistralai';
import { SDK_METADATA } from '@mistralai/mistralai/lib/config.js';
import { ROOT, jsonLines, pollUntil, run } from './common.mjs';

const MODEL = 'mistral-small-latest';
const ENDPOINT = '/v1/chat/completions';
const TERMINAL = new Set(['SUCCESS', 'FAILED', 'CANCELLED', 'TIMEOUT_EXCEEDED']);

const client = new Mistral({ apiKey: 'mistral-test', serverURL: `${ROOT}/mistral` });

function requestLines(n) {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: String(i),
    body: { max_tokens: 20, messages: [{ role: 'user', content: `What's i + ${i}` }] },
  }));
}

async function poll(jobId) {
  return pollUntil(
    () => client.batch.jobs.get({ jobId }),
    (job) => job.status,
    (job) => TERMINAL.has(job.status),
  );
}

async function fileFlow() {
  const content = Buffer.from(requestLines(3).map((l) => JSON.stringify(l)).join('\n') + '\n');
  const uploaded = await client.files.upload({
    file: { fileName: 'batch.jsonl', content },
    purpose: 'batch',
  });
  assert.equal(uploaded.purpose, 'batch');
  assert.equal(uploaded.sizeBytes, content.length);
  const job = await client.batch.jobs.create({
    inputFiles: [uploaded.id],
    model: MODEL,
    endpoint: ENDPOINT,
    metadata: { job_type: 'testing' },
  });
  assert.equal(job.status, 'QUEUED');
  assert.deepEqual(job.inputFiles, [uploaded.id]);
  const { value: done, seen } = await poll(job.id);
  assert.equal(done.status, 'SUCCESS');
  assert.ok(done.outputFile, 'a finished job names its output file');
  const stream = await client.files.download({ fileId: done.outputFile });
  const rows = jsonLines(await new Response(stream).text());
  for (const row of rows) {
    assert.equal(row.response.status_code, 200);
    assert.equal(row.response.body.object, 'chat.completion');
    assert.equal(row.response.body.choices[0].message.role, 'assistant');
  }
  return {
    job_id: job.id,
    total_requests: done.totalRequests,
    succeeded_requests: done.succeededRequests,
    statuses: seen,
    output_custom_ids: rows.map((r) => r.custom_id).sort(),
  };
}

async function inlineFlow() {
  const requests = requestLines(5).map(({ custom_id, body }) => ({ customId: custom_id, body }));
  const job = await client.batch.jobs.create({
    requests,
    model: MODEL,
    endpoint: ENDPOINT,
    metadata: { job_type: 'testing' },
  });
  const { value: done, seen } = await poll(job.id);
  assert.equal(done.status, 'SUCCESS');
  // The example prints each of `job.outputs`' `response.body`; the results are asked inline
  // (`inline: true`, the SDK's parameter of batch.jobs.get) once the job has ended.
  const read = await client.batch.jobs.get({ jobId: job.id, inline: true });
  assert.ok(Array.isArray(read.outputs), 'an inline read carries outputs');
  for (const output of read.outputs) {
    assert.equal(output.response.status_code, 200);
    assert.equal(output.response.body.object, 'chat.completion');
  }
  return {
    job_id: job.id,
    statuses: seen,
    outputs_before_inline: done.outputs ?? null,
    output_custom_ids: read.outputs.map((r) => r.custom_id).sort(),
  };
}

async function main() {
  const file = await fileFlow();
  const inline = await inlineFlow();
  const pending = await client.batch.jobs.create({
    requests: [{ customId: 'x', body: { messages: [{ role: 'user', content: 'hi' }] } }],
    model: MODEL,
    endpoint: ENDPOINT,
  });
  const listed = await client.batch.jobs.list({});
  const cancelled = await client.batch.jobs.cancel({ jobId: pending.id });
  return {
    sdk_version: SDK_METADATA.sdkVersion,
    file,
    inline,
    listed: listed.data.map((j) => j.id),
    listed_total: listed.total,
    cancel: { id: cancelled.id, status: cancelled.status },
  };
}

run(main);
