// HTTP/1.1 pipelining: requests sent back to back on one connection are handled in the order they were sent,
// whether or not they carry a body (a request without one is handled as soon as it is parsed, unless an earlier
// request on the connection is still being read).
import net from 'node:net';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, QueueClient, generateAccountSASQueryParameters } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, queueCredential, startEmulator, uniqueName } from './helpers.js';

let emu: RunningStorageEmulator;
let sas: string;
beforeAll(async () => {
  emu = await startEmulator();
  sas = generateAccountSASQueryParameters(
    { expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse('rwdlacup'), resourceTypes: AccountSASResourceTypes.parse('sco').toString(), services: AccountSASServices.parse('q').toString() },
    queueCredential(),
  ).toString();
});
afterAll(() => emu.close());

/** Sends the requests in one write and returns the responses' status lines and bodies, in order. */
function pipelined(requests: ReadonlyArray<{ method: string; path: string; body?: string }>): Promise<Array<{ status: number; body: string }>> {
  const { port } = new URL(emu.queuesUrl);
  const text = requests
    .map(({ method, path, body }) => `${method} ${path}${path.includes('?') ? '&' : '?'}${sas} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-ms-version: 2021-02-12\r\n` +
      (body === undefined ? '' : `Content-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`) + `\r\n${body ?? ''}`)
    .join('');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk: string) => {
      received += chunk;
      const responses: Array<{ status: number; body: string }> = [];
      let rest = received;
      while (rest.length > 0) {
        const headEnd = rest.indexOf('\r\n\r\n');
        if (headEnd === -1) break;
        const head = rest.slice(0, headEnd);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (rest.length < headEnd + 4 + length) break;
        responses.push({ status: Number(head.split(' ')[1]), body: rest.slice(headEnd + 4, headEnd + 4 + length) });
        rest = rest.slice(headEnd + 4 + length);
      }
      if (responses.length === requests.length) {
        socket.destroy();
        resolve(responses);
      }
    });
  });
}

const message = (text: string) => `<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>${text}</MessageText></QueueMessage>`;

describe('pipelined requests', () => {
  it('are handled in order: a Put Message with a body, then Peeks without one', async () => {
    const name = uniqueName('pipe');
    await new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/${name}`, queueCredential()).create();
    const path = `/${DEV_ACCOUNT}/${name}/messages`;
    const [put, first, second, third] = await pipelined([
      { method: 'POST', path, body: message('hello') },
      { method: 'GET', path: `${path}?peekonly=true` },
      { method: 'POST', path, body: message('again') },
      { method: 'GET', path: `${path}?peekonly=true&numofmessages=32` },
    ]);
    expect(put?.status).toBe(201);
    expect(first?.status).toBe(200);
    expect(first?.body).toContain('<MessageText>hello</MessageText>');
    expect(first?.body).not.toContain('again');
    expect(second?.status).toBe(201);
    expect(third?.body).toContain('<MessageText>again</MessageText>');
  });

  it('are handled in order: a Put Message, then the queue deleted', async () => {
    const name = uniqueName('pipedel');
    await new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/${name}`, queueCredential()).create();
    const [put, deleted] = await pipelined([
      { method: 'POST', path: `/${DEV_ACCOUNT}/${name}/messages`, body: message('last') },
      { method: 'DELETE', path: `/${DEV_ACCOUNT}/${name}` },
    ]);
    expect([put?.status, deleted?.status]).toEqual([201, 204]);
  });
});
