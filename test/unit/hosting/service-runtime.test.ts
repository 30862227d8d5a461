// The service runtime protocol server (what azure.RoleEnvironment connects to), spoken to over its real pipes by a
// raw client, for what the end-to-end tests with the `azure` package cannot force: many incarnations, two updates
// in one turn, a client that never lets go, status expirations, and a folder too deep for a Unix socket.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceRuntime, reportedStatus } from '../../../runtime/hosting/service-runtime.js';
import type { RoleEnvironmentInfo, StatusReport } from '../../../runtime/hosting/service-runtime.js';
import { ROOT } from '../../helpers/serve.js';

const info = (settings: Record<string, string>): RoleEnvironmentInfo => ({ deploymentId: 'd1', roleName: 'Web', instanceId: 'Web_IN_0', settings });
const runtimes: ServiceRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function started(reports: StatusReport[] = []): Promise<ServiceRuntime> {
  const runtime = new ServiceRuntime(mkdtempSync(path.join(os.tmpdir(), 'cb-')), info({ A: '1' }), (r) => reports.push(r));
  runtimes.push(runtime);
  await runtime.start();
  return runtime;
}

/** Reads the messages a pipe sends (`<length>\r\n<xml>` each), as they arrive, until `count` have. */
function messages(pipe: string, count: number): { socket: net.Socket; done: Promise<string[]> } {
  const socket = net.connect(pipe);
  const done = new Promise<string[]>((resolve, reject) => {
    const chunks: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      chunks.push(chunk);
      if (chunks.length === count) resolve(chunks);
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(chunks));
  });
  return { socket, done };
}

async function waitUntil(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const goalStatePipe = async (runtime: ServiceRuntime): Promise<string> => {
  const [versions] = await messages(runtime.environment['WaRuntimeEndpoint'] as string, 1).done;
  return /path="([^"]+)"/.exec(versions as string)?.[1] as string;
};
const incarnation = (message: string): string => /<Incarnation>(\d+)<\/Incarnation>/.exec(message)?.[1] as string;

describe('service runtime', () => {
  it('sends each goal state in a chunk of its own, ten-digit incarnations that compare as strings, and only the latest of one turn', async () => {
    const runtime = await started();
    const client = messages(await goalStatePipe(runtime), 12);
    await new Promise((resolve) => client.socket.once('data', resolve));
    for (let i = 2; i <= 12; i++) {
      runtime.update(info({ A: String(i) }));
      runtime.update(info({ A: `${i} again` })); // same turn: only this one is sent
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const sent = await client.done;
    client.socket.destroy();
    expect(sent).toHaveLength(12);
    const incarnations = sent.map((m) => {
      const [length, xml] = m.split('\r\n') as [string, string];
      expect(Buffer.byteLength(xml)).toBe(Number(length));
      return incarnation(xml);
    });
    expect(incarnations[0]).toBe('0000000001');
    expect(incarnations[11]).toBe('0000000012');
    // The azure client compares the strings it parsed: each must be greater than the one before.
    for (let i = 1; i < incarnations.length; i++) expect((incarnations[i] as string) > (incarnations[i - 1] as string)).toBe(true);
    const file = /<RoleEnvironmentPath>([^<]+)</.exec(sent[11] as string)?.[1] as string;
    expect(readFileSync(file, 'utf8')).toContain('<ConfigurationSetting name="A" value="12 again" />');
  });

  it('gives the azure client the newest settings when two goal states reach it as one chunk', async () => {
    // The azure package's own pipe reader: it parses each chunk it reads as one message.
    const NamedPipeInputChannel = createRequire(path.join(ROOT, 'node_modules/azure/package.json'))('./lib/serviceruntime/namedpipeinputchannel.js');
    const runtime = await started();
    const channel = new NamedPipeInputChannel();
    channel.closeOnRead = false; // as RoleEnvironment's listener for changes
    const reads: Array<{ error: Error | null; data: any }> = [];
    channel.readInputChannel(await goalStatePipe(runtime), true, (error: Error | null, data: unknown) => reads.push({ error, data }));
    await waitUntil(() => reads.length === 1);
    // A client busy elsewhere: the next two goal states (turns apart) wait in the socket and arrive together.
    channel.client.pause();
    runtime.update(info({ A: 'first' }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    runtime.update(info({ A: 'second' }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    channel.client.resume();
    await waitUntil(() => reads.length >= 2);
    channel.client.destroy();
    expect(reads[1]?.error).toBeNull();
    const goal = reads[1]?.data.GoalState;
    expect(goal.Incarnation[0] > '0000000001').toBe(true);
    expect(readFileSync(goal.RoleEnvironmentPath[0], 'utf8')).toContain('<ConfigurationSetting name="A" value="second" />');
  });

  it('closes while a client keeps its goal-state and current-state connections open', async () => {
    const runtime = await started();
    const listener = messages(await goalStatePipe(runtime), 1);
    await listener.done;
    const [goal] = await messages(await goalStatePipe(runtime), 1).done;
    const currentState = net.connect(/<CurrentStateEndpoint>([^<]+)</.exec(goal as string)?.[1] as string);
    await new Promise((resolve) => currentState.once('connect', resolve));
    const closed = runtimes.pop()!.close();
    await expect(Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 3000, 'hung'))])).resolves.toBe('closed');
    // Both clients are let go (the azure client's listener sees its pipe end).
    await Promise.all([listener.socket, currentState].map((s) => new Promise((resolve) => (s.closed ? resolve(undefined) : s.once('close', resolve)))));
  });

  it('reports statuses with their expiration', async () => {
    const reports: StatusReport[] = [];
    const runtime = await started(reports);
    const [goal] = await messages(await goalStatePipe(runtime), 1).done;
    const endpoint = /<CurrentStateEndpoint>([^<]+)</.exec(goal as string)?.[1] as string;
    const send = (xml: string) => new Promise((resolve) => net.connect(endpoint, function (this: net.Socket) { this.end(xml, () => resolve(undefined)); }));
    await send('<?xml version="1.0"?><CurrentState><StatusLease ClientId="c"><Acquire><Incarnation>0000000001</Incarnation><Status>Busy</Status><StatusDetail>Busy</StatusDetail><Expiration>2030-01-02T03:04:05.000Z</Expiration></Acquire></StatusLease></CurrentState>');
    await send('<CurrentState><StatusLease ClientId="c"><Release/></StatusLease></CurrentState>');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reports).toEqual([{ status: 'Busy', expiresAt: Date.parse('2030-01-02T03:04:05.000Z') }, { status: 'Release' }]);
    expect(reportedStatus('<Status>Recycle</Status><Expiration>not a date</Expiration>')).toEqual({ status: 'Recycle' });
    expect(reportedStatus('<Status>Dancing</Status>')).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')('refuses a folder too deep for a Unix socket path, saying so', async () => {
    const deep = path.join(os.tmpdir(), 'x'.repeat(120));
    const runtime = new ServiceRuntime(deep, info({}), () => {});
    await expect(runtime.start()).rejects.toThrow(/socket path .* bytes, more than the 10[37] .* set TMPDIR to a shorter folder/);
  });
});
