// The debugger, end to end in Chromium: attach from the Overview's worker card, set a breakpoint in the
// panel's file view, send a real request, see the paused line and a variable, resume, see the response; the
// project's breakpoints survive reloading the page and apply to the next session.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/serve.js';
import type { Reply } from '../helpers/serve.js';
import { openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench({ fixture: 'apps/debuggee' });
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

/** Requests alternate between the two workers: sends until one stops in the attached worker. */
async function requestUntilPaused() {
  const { page } = wb;
  const replies: Array<Promise<Reply>> = [];
  const state = page.getByTestId('pause-state');
  for (let i = 0; i < 6 && !(await state.textContent())?.startsWith('Paused'); i++) {
    replies.push(get(`${wb.app.url}/`));
    await page.waitForTimeout(300);
  }
  await expect.poll(() => state.textContent()).toMatch(/^Paused/);
  return { replies, state };
}

describe('debugger', () => {
  it('attaches from the Overview, stops a request at a breakpoint, shows the line and a variable, and resumes', async () => {
    const { page } = wb;
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const card = page.locator('article[data-state="ready"]').first();
    await card.waitFor();
    const pid = Number(await card.locator('[data-field="pid"]').textContent());
    await card.getByRole('button', { name: 'Attach debugger' }).click();

    // The panel opens on the attached worker; its app file is listed first.
    await page.getByRole('heading', { level: 1, name: 'Debugger' }).waitFor();
    await page.getByRole('list', { name: 'App files' }).getByRole('button', { name: 'server.js' }).click();
    await page.getByTestId('source-view').getByText('const count = hits;').waitFor();
    await page.getByRole('button', { name: 'Breakpoint on line 14' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Breakpoint on line 14' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-breakpoint="14"]').waitFor();

    const { replies, state } = await requestUntilPaused();
    // The paused line is highlighted, and the scope shows the request's variables.
    await expect.poll(() => page.locator('.line.current').getAttribute('data-line')).toBe('13');
    const hits = page.locator('[data-variable="hits"] [data-testid="variable-value"]');
    const req = page.locator('[data-variable="req"]');
    await req.waitFor();
    // `hits` lives in the module's closure scope: open it.
    if ((await hits.count()) === 0) await page.getByRole('button', { name: /closure/i }).first().click();
    await expect.poll(async () => Number(await hits.first().textContent())).toBeGreaterThan(0);
    expect(await page.getByTestId('debug-status').textContent()).toBe('paused');
    await wb.shoot('debugger-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => state.textContent()).toBe('Running');
    const bodies = (await Promise.all(replies)).map((r) => r.text);
    expect(bodies.some((b) => b.endsWith(`pid=${pid}`))).toBe(true);
    expect(wb.pageErrors).toEqual([]);
  });

  it('keeps the project\'s breakpoints across a reload: listed, installed in the new session, and hit', async () => {
    const { page } = wb;
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Debugger' }).waitFor();
    await page.getByRole('list', { name: 'App files' }).getByRole('button', { name: 'server.js' }).click();
    await page.getByTestId('source-view').getByText('const count = hits;').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Breakpoint on line 14' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-breakpoint="14"]').waitFor();

    const { replies, state } = await requestUntilPaused();
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => state.textContent()).toBe('Running');
    await Promise.all(replies);

    // Removed here, gone after the next reload too.
    await page.getByRole('button', { name: 'Breakpoint on line 14' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Breakpoint on line 14' }).getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    await page.getByRole('list', { name: 'App files' }).getByRole('button', { name: 'server.js' }).click();
    await page.getByTestId('source-view').getByText('const count = hits;').waitFor();
    await page.waitForTimeout(300);
    expect(await page.getByRole('button', { name: 'Breakpoint on line 14' }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('[data-breakpoint]').count()).toBe(0);
    expect(wb.pageErrors).toEqual([]);
  });
});

describe('debugger panel tools', () => {
  it('evaluates watches and the console in the paused frame, then turns the breakpoint into a logpoint', async () => {
    const { page } = wb;
    await page.getByRole('list', { name: 'App files' }).getByRole('button', { name: 'server.js' }).click();
    await page.getByTestId('source-view').getByText('const count = hits;').waitFor();
    await page.getByRole('button', { name: 'Breakpoint on line 15' }).click();
    await page.locator('[data-breakpoint="15"]').waitFor();

    const { replies, state } = await requestUntilPaused();
    await expect.poll(() => page.locator('.line.current').getAttribute('data-line')).toBe('14');
    await page.getByLabel('Watch expression').fill('count > 0 && typeof req.url');
    await page.getByLabel('Watch expression').press('Enter');
    await expect.poll(() => page.getByTestId('watch-value').first().textContent()).toContain('string');
    await page.getByLabel('Evaluate').fill('count * 0 + 4242');
    await page.getByLabel('Evaluate').press('Enter');
    await expect.poll(() => page.getByRole('log', { name: 'Debug console' }).textContent()).toContain('4242');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => state.textContent()).toBe('Running');
    await Promise.all(replies);

    // The same breakpoint as a logpoint: the message is logged with {count} filled in, and nothing stops.
    const item = page.locator('[data-breakpoint="15"]');
    await item.getByRole('checkbox').check();
    await item.getByLabel('Log message').fill('logpoint count is {count}');
    await item.getByLabel('Log message').press('Enter');
    await item.getByLabel('Log message').blur();
    // Requests alternate between the workers, and the logpoint is installed a moment after the edit: keep
    // sending until the attached worker has logged.
    await expect
      .poll(async () => {
        await get(`${wb.app.url}/`);
        return /logpoint count is \d+/.test(wb.app.output());
      }, { timeout: 20_000 })
      .toBe(true);
    expect(await state.textContent()).toBe('Running');
    await item.getByRole('button', { name: 'Remove breakpoint' }).click();
    expect(wb.pageErrors).toEqual([]);
  });
});

describe('debugger with a long file', () => {
  const LINES = 50_000;
  let big: Workbench;
  beforeAll(async () => {
    big = await openWorkbench({
      fixture: 'apps/debuggee',
      args: ['--workers', '1'],
      prepare: (folder) => {
        // big.js: 50,000 lines of filler, then the function the server calls (its body on line 50,002).
        const filler = Array.from({ length: LINES }, (_, i) => `// filler line ${i + 1}`).join('\n');
        writeFileSync(path.join(folder, 'big.js'), `${filler}\nexports.deep = function () {\n  const marker = 42;\n  return 'deep ' + marker;\n};\n`);
        writeFileSync(
          path.join(folder, 'server.js'),
          "const big = require('./big');\nrequire('http').createServer((req, res) => {\n  if (req.url === '/oops') {\n    try { JSON.parse('{not json'); } catch { return res.end('caught'); }\n  }\n  res.end(big.deep());\n}).listen(process.env.PORT);\n",
        );
      },
    });
  }, 60_000);
  afterAll(async () => {
    await big?.close();
  });

  it('renders only the lines in view, and scrolls to a breakpoint hit at its end', async () => {
    const { page } = big;
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('article[data-state="ready"]').first().getByRole('button', { name: 'Attach debugger' }).click();
    await page.getByRole('heading', { level: 1, name: 'Debugger' }).waitFor();
    await page.getByRole('list', { name: 'App files' }).getByRole('button', { name: 'big.js' }).click();
    const view = page.getByTestId('source-view');
    await view.getByText('// filler line 1', { exact: true }).waitFor();
    expect(await view.locator('.line').count()).toBeLessThan(200);

    // To the end of the file: the last lines are rendered, the first ones are not any more.
    await view.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByRole('button', { name: `Breakpoint on line ${LINES + 2}` }).click();
    await expect.poll(() => page.getByRole('button', { name: `Breakpoint on line ${LINES + 2}` }).getAttribute('aria-pressed')).toBe('true');
    expect(await view.getByText('// filler line 1', { exact: true }).count()).toBe(0);

    // Back to the top, then a request stops on that line: the view scrolls to it.
    await view.evaluate((el) => (el.scrollTop = 0));
    await view.getByText('// filler line 1', { exact: true }).waitFor();
    const reply = get(`${big.app.url}/`);
    await expect.poll(() => page.getByTestId('pause-state').textContent()).toMatch(/^Paused/);
    await expect.poll(() => page.locator('.line.current').getAttribute('data-line')).toBe(String(LINES + 1));
    await expect.poll(() => page.locator('.line.current').isVisible()).toBe(true);
    expect(await view.locator('.line').count()).toBeLessThan(200);
    await page.getByRole('button', { name: 'Resume' }).click();
    expect((await reply).text).toBe('deep 42');
    expect(big.pageErrors).toEqual([]);
  });

  it('stops on a caught exception with "stop on all", and not with "don\'t stop"', async () => {
    const { page } = big;
    const state = page.getByTestId('pause-state');
    await page.getByRole('button', { name: `Breakpoint on line ${LINES + 2}` }).click().catch(() => undefined);
    await page.getByLabel('Exceptions').selectOption('all');
    const reply = get(`${big.app.url}/oops`);
    await expect.poll(() => state.textContent()).toMatch(/^Paused \(exception/);
    await expect.poll(() => page.locator('.line.current code').textContent()).toContain("JSON.parse('{not json')");
    await page.getByLabel('Exceptions').selectOption('none');
    await page.getByRole('button', { name: 'Resume' }).click();
    expect((await reply).text).toBe('caught');
    await expect.poll(() => state.textContent()).toBe('Running');
    expect((await get(`${big.app.url}/oops`)).text).toBe('caught');
    expect(await state.textContent()).toBe('Running');
    expect(big.pageErrors).toEqual([]);
  });
});
