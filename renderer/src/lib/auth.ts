// The workbench token. The CLI prints `http://127.0.0.1:<port>/#token=<token>`: a fragment, so the token
// never reaches a server log or a Referer. On load we move it into sessionStorage (it survives reloads of
// this tab, not other tabs or a browser restart) and take it out of the address bar, so it is not
// bookmarked, shared in a screenshot or kept in history.
const KEY = 'cloudbench.token';

/** Reads the token from the URL fragment (and forgets it there) or from this tab's storage. */
export function takeToken(location: Location, history: History, storage: Storage): string | null {
  const hash = location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash.startsWith('/') ? '' : hash);
  const fromHash = params.get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return storage.getItem(KEY);
}
