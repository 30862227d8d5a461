// The workbench page's Content Security Policy, in one place: the control API sends it with index.html, the
// desktop shell adds it to any response of ours that lacks it, and index.html carries it as a <meta> tag
// (without frame-ancestors, which a <meta> policy cannot express) so static scanners such as
// electronegativity see it. Threat: script injected into the UI, which holds the control token.
export const WORKBENCH_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The same policy as a `<meta http-equiv>` can hold it. */
export const WORKBENCH_META_CSP = WORKBENCH_CSP.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');
