// The packaged app's fuses (build/fuses.cjs, flipped by build/after-pack.cjs): every name is a fuse
// @electron/fuses knows, and the security-relevant ones keep their values (Electron checklist item 10).
import { createRequire } from 'node:module';
import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { FUSES } = require('../../../build/fuses.cjs') as { FUSES: Record<string, boolean> };

describe('fuses', () => {
  it('names only fuses that exist', () => {
    for (const name of Object.keys(FUSES)) expect(typeof (FuseV1Options as unknown as Record<string, unknown>)[name], name).toBe('number');
  });
  it('turns off running as node, NODE_OPTIONS and --inspect, and locks the app to its checked asar', () => {
    expect(FUSES).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      EnableCookieEncryption: true,
      GrantFileProtocolExtraPrivileges: false,
    });
  });
  it('the afterPack hook is a function electron-builder can call', () => {
    expect(typeof (require('../../../build/after-pack.cjs') as { default: unknown }).default).toBe('function');
  });
});
