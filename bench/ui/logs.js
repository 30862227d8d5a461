// UI benchmark: one worker prints 10,000 log lines a second for 10 s while the workbench's Logs view is open
// in Chromium. Measures frame intervals in the page (requestAnimationFrame) during the flood against an idle
// period of the same page in the same run (the peer here is "the UI doing nothing"), and checks that every
// line reached the stored logs and the log file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO, median, round, writeResults } from '../hosting/lib.js';

const CHROMIUM = '/usr/bin/chromium';
const APP = path.join(import.meta.dirname, 'apps', 'flood');

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function startServe(folder) {
  const proc = spawn(process.execPath, [path.join(REPO, 'bin', 'cloudbench.js'), 'serve', folder, '--port', '0', '--control-port', '0', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c) => {
    // The CLI tails every log line; keep only its own lines.
    for (const line of c.toString().split('\n')) if (line.startsWith('cloudbench:')) out += `${line}\n`;
  });
  proc.stderr.on('data', (c) => (out += c));
  for (let i = 0; i < 200 && !/workbench at /.test(out); i++) await sleep(100);
  const app = /serving .* at (http:\/\/\S+)/.exec(out)?.[1];
  const workbench = /workbench at (http:\/\/\S+)/.exec(out)?.[1];
  if (!app || !workbench) {
    proc.kill('SIGKILL');
    throw new Error(`cloudbench did not start:\n${out}`);
  }
  return { proc, app, workbench };
}

async function measureFrames(page, ms) {
  return page.evaluate(
    (duration) =>
      new Promise((resolve) => {
        const gaps = [];
        let last = performance.now();
        const end = last + duration;
        const step = (t) => {
          gaps.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(step);
          else resolve(gaps);
        };
        requestAnimationFrame(step);
      }),
    ms,
  );
}

function summarize(gaps) {
  return { frames: gaps.length, p50: round(median(gaps), 1), p99: round(percentile(gaps, 99), 1), max: round(Math.max(...gaps), 1), over50ms: gaps.filter((g) => g > 50).length };
}

export async function run(options = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  const seconds = options.quick ? 3 : 10;
  const rate = 10_000;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-ui-bench-'));
  fs.cpSync(APP, folder, { recursive: true });
  const served = await startServe(folder);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(served.workbench);
    await page.waitForFunction(() => !location.hash.includes('token='));
    await page.evaluate(() => (location.hash = '#/logs'));
    await sleep(1500);
    console.log(`\n== ui/logs: ${rate} lines/s for ${seconds} s into the Logs view (Chromium ${browser.version()})`);
    const idle = summarize(await measureFrames(page, 3000));
    const flood = fetch(`${served.app}flood?rate=${rate}&seconds=${seconds}`).then((r) => r.text());
    const busy = summarize(await measureFrames(page, seconds * 1000));
    const printed = Number(await flood);
    // Every line must be in the store (and so in the view's source) and in the log file.
    const token = new URL(served.workbench).hash.replace('#token=', '');
    const origin = new URL(served.workbench).origin;
    let stored = 0;
    for (let i = 0; i < 50; i++) {
      const r = await fetch(`${origin}/api/logs?text=flood&limit=100000`, { headers: { authorization: `Bearer ${token}` } });
      stored = (await r.json()).records.length;
      if (stored >= printed) break;
      await sleep(200);
    }
    const logDir = path.join(folder, 'iisnode');
    const inFiles = fs.existsSync(logDir) ? fs.readdirSync(logDir).filter((f) => f.includes('-stdout-')).reduce((n, f) => n + (fs.readFileSync(path.join(logDir, f), 'utf8').match(/^flood /gm)?.length ?? 0), 0) : 0;
    const shown = await page.evaluate(() => document.body.innerText.match(/flood \d+/g)?.length ?? 0);
    const rows = [
      ['idle (same page, no output)', idle],
      [`flood (${rate}/s)`, busy],
    ];
    console.log('period                        frames  p50 ms  p99 ms  max ms  frames > 50 ms');
    for (const [name, s] of rows) console.log(`${name.padEnd(28)}  ${String(s.frames).padStart(6)}  ${String(s.p50).padStart(6)}  ${String(s.p99).padStart(6)}  ${String(s.max).padStart(6)}  ${String(s.over50ms).padStart(14)}`);
    console.log(`ratio flood/idle: p50 ${round(busy.p50 / idle.p50, 2)}×, p99 ${round(busy.p99 / idle.p99, 2)}×`);
    console.log(`lines printed ${printed}; in the store ${stored}; in the log files ${inFiles} (files are capped by maxTotalLogFileSizeInKB); rows on screen ${shown}`);
    const verdict = stored >= printed && busy.p99 <= 100 ? 'PASS' : 'FAIL';
    console.log(`goal: no line lost in the stored logs, and frames stay under 100 ms at p99 while flooding → ${verdict}`);
    const file = writeResults('ui-logs', { rate, seconds, idle, flood: busy, printed, stored, inFiles, verdict });
    console.log(`results: ${file}`);
    return { file };
  } finally {
    await browser.close();
    served.proc.kill('SIGINT');
    await new Promise((r) => served.proc.once('exit', r));
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run({ quick: process.argv.includes('--quick') }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
