// X-Forwarded-For as iisnode's enableXFF writes it.

/** iisnode's rule: append the client address unless it already is the last entry (iisnode test 118). */
export function appendForwardedFor(existing: string | undefined, address: string): string {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (existing === undefined || existing.trim() === '') return ip;
  const last = existing.split(',').pop()?.trim();
  return last === ip ? existing : `${existing}, ${ip}`;
}
