import { describe, expect, it } from 'vitest';
import { devtoolsUrl, jsonVersion, shapeJsonList } from '../../../runtime/debug/target-list.js';
import { candidatePorts, parsePortRange } from '../../../runtime/debug/inspector-port.js';
import { parseAnnouncement } from '../../../runtime/debug/stderr-url.js';
import type { DebugTarget } from '../../../runtime/shared/protocol.js';

const target: DebugTarget = {
  worker: '7', instance: 'local', ordinal: 2, generation: 1, pid: 4242, mode: 'attach', paused: false, port: 5059,
  inspectorUrl: 'ws://127.0.0.1:5059/0f3c', proxyPath: '/api/debug/cdp/7/KEY', since: 0,
};

describe('shapeJsonList', () => {
  it("keeps Node's entry and points its WebSocket and DevTools URLs at the proxy", () => {
    const raw = [{ id: '0f3c', title: 'server.js', url: 'file:///srv/app/server.js', type: 'node', description: 'node.js instance', faviconUrl: 'https://nodejs.org/favicon.ico' }];
    expect(shapeJsonList(raw, target, '127.0.0.1:7070')).toEqual([
      {
        description: 'node.js instance',
        devtoolsFrontendUrl: 'devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=127.0.0.1:7070/api/debug/cdp/7/KEY',
        devtoolsFrontendUrlCompat: 'devtools://devtools/bundled/inspector.html?experiments=true&v8only=true&ws=127.0.0.1:7070/api/debug/cdp/7/KEY',
        faviconUrl: 'https://nodejs.org/favicon.ico',
        id: '0f3c',
        title: 'server.js (worker #2 of local, pid 4242)',
        type: 'node',
        url: 'file:///srv/app/server.js',
        webSocketDebuggerUrl: 'ws://127.0.0.1:7070/api/debug/cdp/7/KEY',
      },
    ]);
  });

  it('still lists a worker whose own list could not be read', () => {
    const [e] = shapeJsonList([], target, '127.0.0.1:7070');
    expect(e).toMatchObject({ id: 'cloudbench-7', type: 'node', webSocketDebuggerUrl: 'ws://127.0.0.1:7070/api/debug/cdp/7/KEY' });
  });

  it('answers /json/version as Node does', () => {
    expect(jsonVersion('v22.1.0')).toEqual({ Browser: 'node.js/v22.1.0', 'Protocol-Version': '1.1' });
    expect(devtoolsUrl('h:1/p')).toBe('devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=h:1/p');
  });
});

describe('inspector ports', () => {
  it("reads iisnode's debuggerPortRange and prefers the worker's own port", () => {
    const range = parsePortRange('5058-6058');
    expect(range).toEqual({ start: 5058, end: 6058 });
    expect(candidatePorts(range, 1, new Set()).slice(0, 2)).toEqual([5058, 5059]);
    expect(candidatePorts(range, 3, new Set([5060])).slice(0, 2)).toEqual([5061, 5062]);
    expect(candidatePorts(parsePortRange('6000-6001'), 2, new Set())).toEqual([6001, 6000]);
    for (const bad of ['', 'x', '6058-5058', '0-10', '1-70000']) expect(parsePortRange(bad), bad).toBeUndefined();
    expect(candidatePorts(undefined, 1, new Set())).toEqual([]);
  });

  it("finds the inspector's announcement on stderr", () => {
    expect(parseAnnouncement('Debugger listening on ws://127.0.0.1:9229/abc-1\nFor help, see: …')).toEqual({ url: 'ws://127.0.0.1:9229/abc-1' });
    expect(parseAnnouncement('Starting inspector on 127.0.0.1:9229 failed: address already in use\n')).toEqual({ failed: '127.0.0.1:9229: address already in use' });
    expect(parseAnnouncement('hello')).toBeUndefined();
  });
});
