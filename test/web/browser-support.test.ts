import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { describe, test } from 'node:test';
import { browserSkipReason, checkAccessibility, launchChromium, saveScreenshot } from '../support/browser.js';
import { listenOnLoopback } from '../support/fixtures.js';

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Browser support</title></head>` +
  `<body><main><h1>Browser support</h1>${body}</main></body></html>`;

const PAGES: Readonly<Record<string, string>> = {
  '/clean': page('<label for="name">Name</label> <input id="name" type="text">'),
  '/unlabelled': page('<input id="name" type="text">'),
};

describe('browser support', { skip: browserSkipReason() ?? false }, () => {
  test('reports an unlabelled input, passes a clean page and saves a screenshot', async (t) => {
    const server = createServer((request, response) => {
      const html = PAGES[request.url ?? ''];
      if (html === undefined) {
        response.writeHead(404).end();
        return;
      }
      // The dashboard's policy, which axe must get past.
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'",
      });
      response.end(html);
    });
    const url = await listenOnLoopback(server, t);
    const browser = await launchChromium();
    t.after(() => browser.close());
    const tab = await browser.newPage();

    await tab.goto(`${url}/unlabelled`);
    const violations = await checkAccessibility(tab);
    assert.ok(
      violations.some((line) => line.startsWith('label (critical): ') && line.endsWith(' at #name')),
      violations.join('\n'),
    );

    await tab.goto(`${url}/clean`);
    assert.deepEqual(await checkAccessibility(tab), []);
    const screenshot = await saveScreenshot(tab, 'browser-support');
    assert.ok(existsSync(screenshot));
  });
});
