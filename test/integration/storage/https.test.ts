// HTTPS for the storage emulators (--cert/--key): a worker started with the emulator's environment reaches them
// through the current SDKs with certificate checks on (NODE_EXTRA_CA_CERTS names the certificate); a SAS limited
// to https works there; bad certificate files are a clear error at start.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { generateAccountSas, AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
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
    expect(serve.stderr).toMatch(/--cert, --key and --oauth are options of `cloudbench emulators` only/);
  });
});

/** A JWT with these claims and a signature nobody checks (the emulators check claims only). */
function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ nbf: now - 60, iat: now - 60, exp: now + 3600, iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/', aud: 'https://storage.azure.com', ...claims })}.c2lnbmF0dXJl`;
}

const tokenOf = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) });

describe('OAuth bearer tokens (--oauth basic)', () => {
  let oauthEmu: RunningStorageEmulator;
  beforeAll(async () => {
    oauthEmu = await startEmulator({ tls: { certFile, keyFile }, oauth: 'basic' });
  });
  afterAll(() => oauthEmu?.close());

  // The SDKs verify the emulator's certificate; this process trusts it through an agent with the certificate.
  const agentOptions = () => ({ additionalPolicies: [{ position: 'perCall' as const, policy: { name: 'cloudbench-test-ca', sendRequest: (req: any, next: any) => ((req.agent = new https.Agent({ ca: fs.readFileSync(certFile) })), next(req)) } }] });

  it('serves a TokenCredential with the right audience, issuer and lifetime', async () => {
    const name = `oauth${Date.now()}`;
    const client = new TableClient(`${oauthEmu.tablesUrl}/${DEV_ACCOUNT}`, name, tokenOf(jwt({})), agentOptions());
    await client.createTable();
    await client.createEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
    expect((await client.getEntity('p', 'r')).n).toBe(1);
    // The account's own endpoint as audience works too.
    const own = new TableClient(`${oauthEmu.tablesUrl}/${DEV_ACCOUNT}`, name, tokenOf(jwt({ aud: `https://${DEV_ACCOUNT}.table.core.windows.net` })), agentOptions());
    expect((await own.getEntity('p', 'r')).n).toBe(1);
  });

  it('refuses wrong audiences, issuers and lifetimes with what is wrong, and ACLs by token', async () => {
    const name = `oauthbad${Date.now()}`;
    await new TableClient(`${oauthEmu.tablesUrl}/${DEV_ACCOUNT}`, name, tokenOf(jwt({})), agentOptions()).createTable();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ aud: 'https://otheraccount.table.core.windows.net' }, /Invalid token audience/],
      [{ aud: `https://${DEV_ACCOUNT}.queue.core.windows.net` }, /Invalid token audience/],
      [{ iss: 'https://evil.example/' }, /Invalid token issuer/],
      [{ exp: Math.floor(Date.now() / 1000) - 10 }, /expired/],
      [{ nbf: Math.floor(Date.now() / 1000) + 600 }, /not valid before/],
    ];
    for (const [claims, detail] of cases) {
      const client = new TableClient(`${oauthEmu.tablesUrl}/${DEV_ACCOUNT}`, name, tokenOf(jwt(claims)), agentOptions());
      const error = await client.getEntity('p', 'r').then(() => undefined, (e) => e);
      expect(error?.statusCode).toBe(403);
      expect(JSON.stringify(error?.details ?? error?.message)).toMatch(detail);
    }
    const acl = await new TableClient(`${oauthEmu.tablesUrl}/${DEV_ACCOUNT}`, name, tokenOf(jwt({})), agentOptions()).getAccessPolicy().then(() => undefined, (e) => e);
    expect(acl?.statusCode).toBe(403);
    expect(String(acl?.message)).toContain('AuthorizationFailure');
  });

  it('refuses tokens where OAuth is off, and needs HTTPS to turn it on', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      https.get(`${emu.tablesUrl}/${DEV_ACCOUNT}/Tables`, { ca: fs.readFileSync(certFile), headers: { Authorization: `Bearer ${jwt({})}`, Accept: 'application/json' } }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/Bearer is not enabled: start the emulators with --oauth basic/);
    await expect(startEmulator({ oauth: 'basic' })).rejects.toMatchObject({ code: 'CB_ERR_CLI_USAGE', message: expect.stringMatching(/--oauth basic needs HTTPS/) });
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/cloudbench.js'), 'emulators', '--in-memory', '--oauth', 'basic'], { encoding: 'utf8', timeout: 30_000 });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toMatch(/--oauth basic needs HTTPS: add --cert and --key/);
  });
});

