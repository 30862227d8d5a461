// HTTPS for the storage emulators (--cert/--key): a worker started with the emulator's environment reaches them
// through the current SDKs with certificate checks on (NODE_EXTRA_CA_CERTS names the certificate); a SAS limited
// to https works there; bad certificate files are a clear error at start.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { generateAccountSas, AzureNamedKeyCredential } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, startEmulator } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let certFile: string;
let keyFile: string;
let emu: RunningStorageEmulator;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-tls-'));
  certFile = path.join(dir, 'cert.pem');
  keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  emu = await startEmulator({ tls: { certFile, keyFile } });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: fs.readFileSync(certFile) }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** Runs a Node script in its own process, asynchronously (the emulator answers from this process meanwhile). */
function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
  });
}

describe('storage emulators over HTTPS', () => {
  it('name https endpoints, and give workers the certificate to trust', () => {
    expect(emu.tablesUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.connectionString()).toMatch(/^DefaultEndpointsProtocol=https;.*TableEndpoint=https:\/\//);
    expect(emu.environment().NODE_EXTRA_CA_CERTS).toBe(certFile);
  });

  it("serve a worker's SDK calls with certificate checks on", async () => {
    // A separate Node process, as a worker is: it trusts the certificate only through NODE_EXTRA_CA_CERTS.
    const script = `
      const { TableClient } = require('@azure/data-tables');
      const { QueueClient } = require('@azure/storage-queue');
      (async () => {
        const cs = process.env.AZURE_STORAGE_CONNECTION_STRING;
        const t = TableClient.fromConnectionString(cs, 'overtls');
        await t.createTable();
        await t.createEntity({ partitionKey: 'p', rowKey: 'r', n: 7 });
        const q = new QueueClient(cs, 'overtls');
        await q.create();
        await q.sendMessage('hi');
        const m = (await q.receiveMessages()).receivedMessageItems[0];
        console.log(JSON.stringify({ n: (await t.getEntity('p', 'r')).n, text: m.messageText }));
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const env = { ...process.env, ...emu.environment() };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    const run = await runNode(script, env);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ n: 7, text: 'hi' });
    // Without the certificate, Node refuses the emulator's self-signed one: the checks are really on.
    const untrusted = await runNode(script.replace("'overtls'", "'untrusted'").replace("'overtls'", "'untrusted'"), { ...env, NODE_EXTRA_CA_CERTS: '' });
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toMatch(/self[- ]signed/i);
  });

  it('accept a SAS limited to https (spr=https) there', async () => {
    const sas = generateAccountSas(new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY), { permissions: { list: true }, resourceTypes: 'sc', protocol: 'https', expiresOn: new Date(Date.now() + 3600_000) } as never);
    expect(sas).toMatch(/spr=https/);
    const res = await get(`${emu.tablesUrl}/${DEV_ACCOUNT}/Tables?${sas}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)['odata.metadata']).toMatch(/^https:\/\//);
  });

  it('refuse unreadable or mismatched certificate files at start, naming them', async () => {
    await expect(startEmulator({ tls: { certFile: path.join(dir, 'missing.pem'), keyFile } })).rejects.toMatchObject({ code: 'CB_ERR_EMULATORS_TLS', message: expect.stringMatching(/missing\.pem: cannot read the certificate: ENOENT/) });
    const otherKey = path.join(dir, 'other-key.pem');
    execFileSync('openssl', ['genrsa', '-out', otherKey, '2048'], { stdio: 'ignore' });
    await expect(startEmulator({ tls: { certFile, keyFile: otherKey } })).rejects.toMatchObject({ code: 'CB_ERR_EMULATORS_TLS', message: expect.stringMatching(/key values mismatch/) });
  });

  it('--cert and --key go together, and belong to `cloudbench emulators` only', () => {
    const alone = spawnSync(process.execPath, [path.join(ROOT, 'bin/cloudbench.js'), 'emulators', '--in-memory', '--cert', certFile], { encoding: 'utf8', timeout: 30_000 });
    expect(alone.status).not.toBe(0);
    expect(alone.stderr).toMatch(/--cert and --key go together/);
    const serve = spawnSync(process.execPath, [path.join(ROOT, 'bin/cloudbench.js'), 'serve', dir, '--cert', certFile, '--key', keyFile], { encoding: 'utf8', timeout: 30_000 });
    expect(serve.status).not.toBe(0);
    expect(serve.stderr).toMatch(/--cert and --key are options of `cloudbench emulators` only/);
  });
});
