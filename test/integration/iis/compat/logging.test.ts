// iisnode compatibility, captured output: stdout lands in the app's iisnode/ folder beside an index.html, with
// iisnode's CRLF line ends for web.config projects, and rolls over at maxLogFileSizeInKB (iisnode functional
// tests 105, 110). Log writes are asynchronous, so the checks wait for the files.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../helpers/serve.js';
import { CompatFixtures, sequence } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  fixtures.start('105_logging');
  fixtures.start('110_log_size_quota');
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

describe('iisnode compatibility: logging', () => {
  it('iisnode 105: five requests leave exactly index.html and one log reading Request1\\r\\n…Request5\\r\\n', async () => {
    const app = await fixtures.app('105_logging');
    expect(await sequence(`${app.url}/hello.js`, 5)).toEqual(['Hello, world 1', 'Hello, world 2', 'Hello, world 3', 'Hello, world 4', 'Hello, world 5']);
    const dir = path.join(fixtures.folder('105_logging'), 'iisnode');
    const expected = 'Request1\r\nRequest2\r\nRequest3\r\nRequest4\r\nRequest5\r\n';
    const read = (): string => {
      const log = list(dir).find((f) => f !== 'index.html');
      return log === undefined ? '' : readFileSync(path.join(dir, log), 'utf8');
    };
    await waitFor(() => read().includes('Request5') || undefined, 5000, 'Request5 in the log file');
    const files = list(dir);
    expect(files).toHaveLength(2);
    expect(files).toContain('index.html');
    expect(read()).toBe(expected);
  });

  it('iisnode 110: maxLogFileSizeInKB="1": two 1 KB writes give 3 files (2 logs and index.html)', async () => {
    const app = await fixtures.app('110_log_size_quota');
    expect(await sequence(`${app.url}/hello.js`, 2)).toEqual(['Hello, world', 'Hello, world']);
    const dir = path.join(fixtures.folder('110_log_size_quota'), 'iisnode');
    const files = await waitFor(() => {
      const now = list(dir);
      return now.length >= 3 ? now : undefined;
    }, 5000, 'three files in the log folder');
    expect(files).toHaveLength(3);
    expect(files).toContain('index.html');
  });
});
