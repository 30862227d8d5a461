// CORS as a browser enforces it: a page on one origin calls the queue emulator (another origin) with fetch,
// with a SAS. A rule for the page's origin lets the simple request through, answers the preflight of a request
// with custom headers, and exposes the x-ms-meta-* headers; a page on an origin no rule names is blocked by
// Chromium itself.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { QueueClient, QueueSASPermissions, QueueServiceClient, StorageSharedKeyCredential, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ACCOUNT, DEV_KEY, startStorageEmulator } from '../../runtime/emulators/storage/index.js';
import type { RunningStorageEmulator } from '../../runtime/emulators/storage/index.js';
import { CHROMIUM } from './helpers/workbench.js';

let emu: RunningStorageEmulator;
let pages: http.Server;
let allowedOrigin: string;
let otherOrigin: string;
let context: BrowserContext;
let profile: string;
let queueUrl: string;
let sas: string;

beforeAll(async () => {
  emu = await startStorageEmulator({ inMemory: true, tablesPort: 0, queuesPort: 0 });
  // One server, two origins: 127.0.0.1 and localhost on the same port are different origins to a browser.
  pages = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title>'));
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const { port } = pages.address() as AddressInfo;
  allowedOrigin = `http://127.0.0.1:${port}`;
  otherOrigin = `http://localhost:${port}`;
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  await new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}`, credential).setProperties({
    cors: [{ allowedOrigins: allowedOrigin, allowedMethods: 'GET,POST', allowedHeaders: 'content-type,x-ms-*', exposedHeaders: 'x-ms-meta-*', maxAgeInSeconds: 60 }],
  });
  const queue = new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/browserq`, credential);
  await queue.create({ metadata: { color: 'blue' } });
  queueUrl = queue.url;
  sas = generateQueueSASQueryParameters({ queueName: 'browserq', permissions: QueueSASPermissions.parse('rap'), expiresOn: new Date(Date.now() + 3600_000) }, credential).toString();
  profile = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-cors-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

afterAll(async () => {
  await context?.close();
  pages?.close();
  await emu?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Runs the two fetches in a page on `origin`; returns what the page could see. */
async function fromPage(origin: string): Promise<{ metadata: string; color: string | null; sent: string }> {
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  // A string, evaluated in the page (the test tsconfig has no DOM types).
  const result = await page.evaluate(`(async () => {
    const out = {};
    try {
      const r = await fetch(${JSON.stringify(`${queueUrl}?comp=metadata&${sas}`)});
      out.metadata = String(r.status);
      // Readable only because the rule exposes x-ms-meta-* (Access-Control-Expose-Headers).
      out.color = r.headers.get('x-ms-meta-color');
    } catch (e) { out.metadata = 'blocked: ' + e.message; out.color = null; }
    try {
      // A custom header makes this a preflighted request.
      const r = await fetch(${JSON.stringify(`${queueUrl}/messages?${sas}`)}, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml', 'x-ms-client-request-id': 'from-the-browser' },
        body: '<QueueMessage><MessageText>hello from a page</MessageText></QueueMessage>',
      });
      out.sent = String(r.status);
    } catch (e) { out.sent = 'blocked: ' + e.message; }
    return out;
  })()`);
  await page.close();
  return result as { metadata: string; color: string | null; sent: string };
}

describe('storage CORS in Chromium', () => {
  it('lets the allowed origin read metadata and send a preflighted message', async () => {
    const seen = await fromPage(allowedOrigin);
    expect(seen).toEqual({ metadata: '200', color: 'blue', sent: '201' });
    const peeked = await new QueueClient(queueUrl, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY)).peekMessages();
    expect(peeked.peekedMessageItems[0]?.messageText).toBe('hello from a page');
  });

  it('is blocked by the browser on an origin no rule names', async () => {
    const seen = await fromPage(otherOrigin);
    expect(seen.metadata).toMatch(/^blocked: /);
    expect(seen.sent).toMatch(/^blocked: /);
  });
});
