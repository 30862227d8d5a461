// What the broker answers when a client attaches a link. rhea opens the server side of a link before it
// emits sender_open/receiver_open and writes the attach frame on the next tick, so the handlers fill in
// the local attach here: the client's own source and target (the SDK expects them echoed), its settle
// modes, max-message-size on sender links, and for session receivers the locked session id in the source
// filter and com.microsoft:locked-until-utc in the properties.
import { rhea, type RheaLink } from './rhea-types.js';
import { ticksLong } from './codec.js';

export const SESSION_FILTER = 'com.microsoft:session-filter';

export function echoAttach(link: RheaLink): void {
  const remote = link.remote.attach;
  if (remote.source) link.set_source({ ...remote.source });
  if (remote.target) link.set_target({ ...remote.target });
  if (remote.snd_settle_mode !== undefined) link.local.attach.snd_settle_mode = remote.snd_settle_mode;
  if (remote.rcv_settle_mode !== undefined) link.local.attach.rcv_settle_mode = remote.rcv_settle_mode;
}

/** Whether the client asked for a session (the filter key is present; its value may be null = any session). */
export function requestedSession(link: RheaLink): { session: boolean; id: string | undefined } {
  const filter = link.remote.attach.source?.filter as Record<string, unknown> | undefined;
  if (!filter || !(SESSION_FILTER in filter)) return { session: false, id: undefined };
  const v = filter[SESSION_FILTER];
  return { session: true, id: v === null || v === undefined ? undefined : String(v) };
}

export function announceSession(link: RheaLink, sessionId: string, lockedUntil: number): void {
  const source = link.remote.attach.source ?? {};
  link.set_source({ ...source, filter: { ...((source.filter as object) ?? {}), [SESSION_FILTER]: sessionId } });
  link.local.attach.properties = {
    ...((link.remote.attach.properties as object) ?? {}),
    'com.microsoft:locked-until-utc': rhea.types.wrap_long(ticksLong(lockedUntil)),
  };
}

/**
 * Holds back the attach answer (rhea already marked the link open): used while a next-available session
 * receiver waits for a session. `resume()` writes the attach.
 */
export function holdAttach(link: RheaLink): void {
  link.state.local_open = false;
  link.state.open_requests = Math.max(0, link.state.open_requests - 1);
}
