// CORS from the rules set with Set Service Properties (the SDKs' own setProperties), over raw HTTP with the
// headers a browser sends: preflights allowed and refused, and the headers actual responses (errors included) get.
import http from 'node:http';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient, QueueSASPermissions, QueueServiceClient, StorageSharedKeyCredential, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, queueCredential, rawRequest, startEmulator, tableCredential, uniqueName } from './helpers.js';

const opts = { allowInsecureConnection: true };
let emu: RunningStorageEmulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const request = (base: string, method: string, path: string, headers: Record<string, string>) => rawRequest(base, method, path, '', headers);

const RULES = [
  { allowedOrigins: 'http://app.example', allowedMethods: 'GET,PUT,POST', allowedHeaders: 'x-ms-meta-data*,content-type,x-ms-version', exposedHeaders: 'x-ms-meta-*,x-ms-request-id', maxAgeInSeconds: 100 },
  { allowedOrigins: '*', allowedMethods: 'GET', allowedHeaders: '*', exposedHeaders: '*', maxAgeInSeconds: 5 },
];

describe('CORS, tables', () => {
  it('refuses every preflight while the service has no rules, and adds nothing to responses', async () => {
    const pre = await request(emu.tablesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://app.example', 'Access-Control-Request-Method': 'GET' });
    expect(pre.status).toBe(403);
    expect(pre.headers['x-ms-error-code']).toBe('CorsPreflightFailure');
    expect(JSON.parse(pre.body)['odata.error'].message.value).toMatch(/^CORS not enabled or no matching rule found for this request\. The service has no CORS rules/);
    const res = await request(emu.tablesUrl, 'GET', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://app.example' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
  });

  it('answers preflights by the first matching rule, and refuses the rest', async () => {
    await new TableServiceClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableCredential(), opts).setProperties({ cors: RULES });
    const ok = await request(emu.tablesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/Tables`, {
      Origin: 'http://APP.example',
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'x-ms-meta-data1, content-type',
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://APP.example');
    expect(ok.headers['access-control-allow-methods']).toBe('PUT');
    expect(ok.headers['access-control-allow-headers']).toBe('x-ms-meta-data1, content-type');
    expect(ok.headers['access-control-max-age']).toBe('100');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    // Any origin may GET (second rule), with its max age.
    const any = await request(emu.tablesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://other.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-anything' });
    expect(any.status).toBe(200);
    expect(any.headers['access-control-max-age']).toBe('5');
    // A header no rule allows, a method no rule allows for that origin.
    const refusals: Record<string, string>[] = [
      { Origin: 'http://app.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-ms-meta-other' },
      { Origin: 'http://other.example', 'Access-Control-Request-Method': 'DELETE' },
    ];
    for (const headers of refusals) {
      const refused = await request(emu.tablesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/Tables`, headers);
      expect(refused.status).toBe(403);
      expect(refused.headers['x-ms-error-code']).toBe('CorsPreflightFailure');
    }
    const incomplete = await request(emu.tablesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://app.example' });
    expect(incomplete.status).toBe(400);
    expect(JSON.parse(incomplete.body)['odata.error'].message.value).toMatch(/^A required CORS header is not present\..*no Access-Control-Request-Method/);
  });

  it('gives actual responses, errors included, the matching rule’s headers', async () => {
    const name = uniqueName('cors');
    await new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, name, tableCredential(), opts).createTable();
    // Unsigned, so the answer is a 403 error: it still carries the CORS headers, so the page can read it.
    const exact = await request(emu.tablesUrl, 'GET', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://app.example' });
    expect(exact.status).toBe(403);
    expect(exact.headers['access-control-allow-origin']).toBe('http://app.example');
    expect(exact.headers.vary).toBe('Origin');
    expect(exact.headers['access-control-allow-credentials']).toBe('true');
    expect(exact.headers['access-control-expose-headers']).toBe('x-ms-request-id');
    const star = await request(emu.tablesUrl, 'GET', `/${DEV_ACCOUNT}/Tables`, { Origin: 'http://other.example' });
    expect(star.headers['access-control-allow-origin']).toBe('*');
    expect(star.headers.vary).toBeUndefined();
    expect(star.headers['access-control-expose-headers']).toContain('x-ms-request-id');
    const none = await request(emu.tablesUrl, 'DELETE', `/${DEV_ACCOUNT}/Tables('${name}')`, { Origin: 'http://other.example' });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    expect(none.headers.vary).toBe('Origin');
  });
});

describe('CORS, queues', () => {
  it('exposes the x-ms-meta-* headers a rule names by prefix', async () => {
    await new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}`, queueCredential()).setProperties({ cors: RULES });
    const queue = new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/${uniqueName('cors')}`, queueCredential());
    await queue.create({ metadata: { color: 'blue' } });
    // A browser holding a queue SAS reads the metadata: the x-ms-meta-* headers are exposed to it.
    const sas = generateQueueSASQueryParameters({ queueName: queue.name, permissions: QueueSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 3600_000) }, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY)).toString();
    const res = await request(emu.queuesUrl, 'GET', `/${DEV_ACCOUNT}/${queue.name}?comp=metadata&${sas}`, { Origin: 'http://app.example' });
    expect(res.status).toBe(200);
    expect(res.headers['x-ms-meta-color']).toBe('blue');
    expect(res.headers['access-control-allow-origin']).toBe('http://app.example');
    expect(res.headers['access-control-expose-headers']?.split(',')).toEqual(expect.arrayContaining(['x-ms-meta-color', 'x-ms-request-id']));
    const pre = await request(emu.queuesUrl, 'OPTIONS', `/${DEV_ACCOUNT}/${queue.name}/messages`, { Origin: 'http://app.example', 'Access-Control-Request-Method': 'POST' });
    expect(pre.status).toBe(200);
    // An oversized body is refused with 413, and the page can read that too.
    const big = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const { port } = new URL(emu.queuesUrl);
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/${DEV_ACCOUNT}/${queue.name}/messages?${sas}`, headers: { Origin: 'http://app.example', 'Content-Type': 'application/xml' } }, resolve);
      req.on('error', reject);
      req.end(Buffer.alloc(2 * 1024 * 1024, 'a'));
    });
    big.resume();
    expect(big.statusCode).toBe(413);
    expect(big.headers['access-control-allow-origin']).toBe('http://app.example');
  });
});
