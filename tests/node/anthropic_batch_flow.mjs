// `@anthropic-ai/sdk` through Anthropic's documented Message Batches flow
// (docs.claude.com/en/docs/build-with-claude/batch-processing, TypeScript tab):
// messages.batches.create, poll messages.batches.retrieve until processing_status is "ended",
// stream messages.batches.results and switch on result.type, then list (auto-paginated) and
// cancel. Expectations come from those docs and the SDK's types, not from the emulator.

import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { VERSION } from '@anthropic-ai/sdk/version';
import { ROOT, pollUntil, run } from './common.mjs';

const MODEL = 'claude-haiku-4-5';
const IDS = ['my-first-request', 'my-second-request', 'my-third-request'];

const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: ROOT, maxRetries: 0 });

function requests() {
  return IDS.map((id) => ({
    custom_id: id,
    params: { model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: `Hello, ${id}` }] },
  }));
}

async function main() {
  const created = await anthropic.messages.batches.create({ requests: requests() });
  assert.equal(created.type, 'message_batch');
  assert.match(created.id, /^msgbatch_/);
  assert.equal(created.processing_status, 'in_progress');
  assert.equal(created.request_counts.processing, IDS.length);
  assert.equal(created.results_url, null);
  const { value: ended, seen } = await pollUntil(
    () => anthropic.messages.batches.retrieve(created.id),
    (b) => b.processing_status,
    (b) => b.processing_status === 'ended',
  );
  assert.equal(typeof ended.ended_at, 'string');
  assert.ok(ended.results_url, 'an ended batch has a results_url');
  const results = {};
  for await (const entry of await anthropic.messages.batches.results(created.id)) {
    switch (entry.result.type) {
      case 'succeeded':
        assert.equal(entry.result.message.type, 'message');
        assert.equal(entry.result.message.role, 'assistant');
        assert.equal(entry.result.message.content[0].type, 'text');
        break;
      default:
        assert.fail(`unexpected result ${entry.result.type} for ${entry.custom_id}`);
    }
    results[entry.custom_id] = entry.result.type;
  }
  const pending = await anthropic.messages.batches.create({ requests: requests().slice(0, 1) });
  const listed = [];
  for await (const b of anthropic.messages.batches.list({ limit: 1 })) listed.push(b.id);
  const cancelled = await anthropic.messages.batches.cancel(pending.id);
  return {
    sdk_version: VERSION,
    batch_id: created.id,
    statuses: seen,
    counts: ended.request_counts,
    results,
    listed,
    cancel: { id: cancelled.id, status: cancelled.processing_status },
    pending_id: pending.id,
  };
}

run(main);
