// Which colour each state gets, in one place.
export type Tone = 'ok' | 'warn' | 'info' | 'danger' | 'idle';

const WORKER: Record<string, Tone> = { ready: 'ok', starting: 'warn', draining: 'info', stopping: 'warn', exited: 'danger' };
const INSTANCE: Record<string, Tone> = { running: 'ok', starting: 'warn', failed: 'danger', stopped: 'idle' };

export const workerTone = (state: string): Tone => WORKER[state] ?? 'idle';
export const instanceTone = (state: string): Tone => INSTANCE[state] ?? 'idle';
