// Writes made while the event loop works through one batch of ready sockets are held (corked) and sent
// when the batch is done (setImmediate runs right after the poll phase). A worker woken by the first
// request then finds the next ones already waiting instead of being woken once per request, and likewise
// the clients: on a 2-core machine the wake-ups, not the bytes, are the cost (see docs/ARCHITECTURE.md).
import type net from 'node:net';

const held: net.Socket[] = [];
const HELD = Symbol('cloudbench.turnFlush');
let scheduled = false;

function flush(): void {
  scheduled = false;
  const sockets = held.splice(0);
  for (const s of sockets) {
    (s as unknown as Record<symbol, boolean>)[HELD] = false;
    s.uncork();
  }
}

/** Cork `socket` until the end of this event-loop turn (idempotent within a turn). */
export function holdUntilTurnEnd(socket: net.Socket): void {
  const flags = socket as unknown as Record<symbol, boolean>;
  if (flags[HELD]) return;
  flags[HELD] = true;
  socket.cork();
  held.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
