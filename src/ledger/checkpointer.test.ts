import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTestStore } from '../../test/support/test-store.js';
import { FixedClock } from '../clock/index.js';
import { Checkpointer } from './checkpointer.js';
import { Ledger } from './ledger.js';
import { ProjectorRegistry } from './projector.js';
import { generateNoteKey, parseSignerKey } from './signed-note.js';

const ORIGIN = 'test.sre-agent.local/ledger';
const WAIT_LIMIT_MS = 120_000;

async function eventually(condition: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(20);
  }
  return condition();
}

describe('Checkpointer', () => {
  test('signs new entries within its interval, and what is left on stop', async (t) => {
    const { store, cleanup } = await openTestStore('sqlite');
    const ledger = Ledger.create({
      db: store.db,
      clock: FixedClock.at('2026-11-27T10:00:00Z'),
      projectors: ProjectorRegistry.of([]),
      signing: { origin: ORIGIN, signers: [parseSignerKey(generateNoteKey(ORIGIN).signerKey)] },
    });
    const errors: unknown[] = [];
    const signedSizes: bigint[] = [];
    const checkpointer = Checkpointer.start({
      ledger,
      intervalMs: 200,
      onError: (error) => errors.push(error),
      onSigned: (signed) => signedSizes.push(signed.checkpoint.size),
    });
    let stopped = false;
    t.after(async () => {
      if (!stopped) await checkpointer.stop();
      await cleanup();
    });
    const append = (n: number) =>
      ledger.append({ actor: 'system:test', type: 'test.happened', subject: 'test', data: { n } });
    const latestSize = async () => (await ledger.latestCheckpoint())?.checkpoint.size;

    for (const n of [1, 2, 3]) await append(n);
    assert.ok(
      await eventually(async () => (await latestSize()) === 3n),
      `no checkpoint of size 3 within ${WAIT_LIMIT_MS} ms`,
    );

    await append(4);
    await append(5);
    await checkpointer.stop();
    stopped = true;
    assert.equal(await latestSize(), 5n);
    assert.deepEqual(errors, []);
    assert.equal(signedSizes.at(-1), 5n);
    assert.deepEqual(
      signedSizes,
      [...signedSizes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      'checkpoints only grow',
    );
  });
});
