// ISO 8601 durations (`PT1M`, `P14D`, `P10675199DT2H48M5.4775807S`) as Service Bus writes TimeSpans in
// Config.json and the ATOM API. Years and months are not TimeSpan units and are refused.
import { EngineError } from './engine/errors.js';
import { MAX_DURATION_MS } from './engine/types.js';

const PATTERN = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export function parseDuration(text: string): number {
  const m = PATTERN.exec(text.trim());
  if (!m || text.trim() === 'P' || /T$/i.test(text.trim())) {
    throw new EngineError('BadArgument', `"${text}" is not an ISO 8601 duration such as PT30S, PT1M or P14D.`);
  }
  const [, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const ms = Math.round((((d as number) * 24 + (h as number)) * 60 + (min as number)) * 60_000 + (s as number) * 1000);
  return Math.min(ms, MAX_DURATION_MS);
}

export function formatDuration(ms: number): string {
  if (ms >= MAX_DURATION_MS) return 'P10675199DT2H48M5.4775807S';
  let rest = ms;
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  const s = rest / 1000;
  let out = 'P';
  if (days) out += `${days}D`;
  if (h || min || s || !days) {
    out += 'T';
    if (h) out += `${h}H`;
    if (min) out += `${min}M`;
    if (s || (!h && !min)) out += `${s}S`;
  }
  return out;
}
