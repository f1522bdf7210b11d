// Shared by the Node SDK drivers in this folder: the emulator's address, bounded polling and the
// one-line JSON summary the pytest side reads. Nothing here touches an SDK: each driver calls its
// SDK exactly as that SDK's documentation shows.

import assert from 'node:assert/strict';

export const ROOT = process.env.EMU_ROOT;
assert.ok(ROOT, 'EMU_ROOT must be set to the emulator origin (http://127.0.0.1:PORT)');

export const MAX_POLLS = 12;

// Calls `read` until `done(value)` holds, at most MAX_POLLS times; returns the last value and the
// statuses seen. The emulator runs under timing "polls:1", so each read moves a batch one phase
// and no driver ever sleeps.
export async function pollUntil(read, status, done) {
  const seen = [];
  let value;
  for (let i = 0; i < MAX_POLLS; i += 1) {
    value = await read();
    seen.push(status(value));
    if (done(value)) return { value, seen };
  }
  assert.fail(`still not done after ${MAX_POLLS} polls: ${JSON.stringify(seen)}`);
}

export function jsonLines(text) {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

// Runs `main`, prints its summary as the last stdout line, exits non-zero on any failure.
export function run(main) {
  main()
    .then((summary) => console.log(JSON.stringify(summary)))
    .catch((err) => {
      console.error(err?.stack ?? String(err));
      if (err?.error !== undefined) console.error(JSON.stringify(err.error));
      process.exit(1);
    });
}
