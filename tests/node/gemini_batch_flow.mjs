// `@google/genai` through Gemini's documented Batch Mode flows (ai.google.dev/gemini-api/docs/
// batch-mode, JavaScript tab): inline requests (batches.create with `src` a list, poll
// batches.get until a completed state, read dest.inlinedResponses) and an input file
// (files.upload with mimeType "jsonl", batches.create with `src` the file name, files.download
// of dest.fileName), then batches.list and batches.cancel. Expectations come from those docs and
// the SDK's types, not from the emulator.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoogleGenAI } from '@google/genai';
import { ROOT, jsonLines, pollUntil, run } from './common.mjs';

const MODEL = 'gemini-2.5-flash';
const COMPLETED = new Set([
  'JOB_STATE_SUCCEEDED',
  'JOB_STATE_FAILED',
  'JOB_STATE_CANCELLED',
  'JOB_STATE_EXPIRED',
]);

const ai = new GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: ROOT } });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genai-'));

function content(text) {
  return { contents: [{ parts: [{ text }], role: 'user' }] };
}

async function poll(name) {
  return pollUntil(
    () => ai.batches.get({ name }),
    (job) => job.state,
    (job) => COMPLETED.has(job.state),
  );
}

async function inlineFlow() {
  const job = await ai.batches.create({
    model: MODEL,
    src: [content('Tell me a one-sentence joke.'), content('Why is the sky blue?')],
    config: { displayName: 'inlined-requests-job-1' },
  });
  assert.match(job.name, /^batches\//);
  assert.equal(job.displayName, 'inlined-requests-job-1');
  const { value: done, seen } = await poll(job.name);
  assert.equal(done.state, 'JOB_STATE_SUCCEEDED');
  const texts = done.dest.inlinedResponses.map((r) => {
    assert.equal(r.error, undefined);
    return r.response.text;
  });
  for (const text of texts) assert.equal(typeof text, 'string');
  return { name: job.name, states: seen, responses: texts.length };
}

async function fileFlow() {
  const input = path.join(dir, 'my-batch-requests.jsonl');
  const lines = ['request-1', 'request-2'].map((key) => ({ key, request: content(`Describe ${key}`) }));
  fs.writeFileSync(input, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const uploaded = await ai.files.upload({
    file: input,
    config: { displayName: 'my-batch-requests', mimeType: 'jsonl' },
  });
  assert.match(uploaded.name, /^files\//);
  const job = await ai.batches.create({ model: MODEL, src: uploaded.name, config: { displayName: 'file-job-1' } });
  const { value: done, seen } = await poll(job.name);
  assert.equal(done.state, 'JOB_STATE_SUCCEEDED');
  assert.ok(done.dest.fileName, 'a file job names its result file');
  const out = path.join(dir, 'results.jsonl');
  await ai.files.download({ file: done.dest.fileName, downloadPath: out });
  const rows = jsonLines(fs.readFileSync(out, 'utf8'));
  for (const row of rows) assert.ok(row.response.candidates[0].content.parts[0].text);
  return { name: job.name, states: seen, keys: rows.map((r) => r.key).sort() };
}

async function main() {
  const inline = await inlineFlow();
  const file = await fileFlow();
  const pending = await ai.batches.create({ model: MODEL, src: [content('later')] });
  const listed = [];
  for await (const job of await ai.batches.list({ config: { pageSize: 1 } })) listed.push(job.name);
  await ai.batches.cancel({ name: pending.name });
  const cancelled = await ai.batches.get({ name: pending.name });
  return { inline, file, listed, cancel: { name: pending.name, state: cancelled.state } };
}

run(main);
