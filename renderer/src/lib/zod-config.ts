// The page's Content-Security-Policy forbids eval. zod 4 probes `new Function` to compile fast parsers,
// and the browser reports that probe as a CSP violation on every load; jitless mode skips it. Imported
// first by main.ts, before any schema is built.
import { z } from 'zod';

z.config({ jitless: true });
