import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runInProcess } from '../support/cli-runner.js';
import { listenOnLoopback } from '../support/fixtures.js';
import { EXAMPLE_CATALOGUE } from '../support/test-app.js';

test('sre-agent ask answers through the model, signs off in code, and says what the persona checks find', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sre-ask-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = { SRE_AGENT_CATALOGUE: EXAMPLE_CATALOGUE };
  const none = await runInProcess(['ask', 'Anything?', '--data-dir', dir], env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no model to ask/);

  const model = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          choices: [
            {
              finish_reason: 'stop',
              message: { role: 'assistant', content: 'The dashboard color shows every SLO within budget.' },
            },
          ],
        }),
      );
    });
  });
  const origin = await listenOnLoopback(model, t);
  const asked = await runInProcess(['ask', 'How are we doing?', '--llm', `${origin}/v1`, '--data-dir', dir], env);
  assert.equal(asked.code, 0, asked.stderr);
  assert.equal(asked.stdout, 'The dashboard color shows every SLO within budget.\n\nagent sre complete\n');
  assert.match(asked.stderr, /check, line 1: .*colou?r/i);
});
