// The Electron fuses of the packaged app (https://www.electronjs.org/docs/latest/tutorial/fuses), flipped
// in the binary by after-pack.cjs before electron-builder signs it. Keys are @electron/fuses' FuseV1Options
// names; test/unit/electron/fuses.test.ts checks that each exists and that the security-relevant ones stay set.
'use strict';

/** @type {Readonly<Record<string, boolean>>} */
const FUSES = Object.freeze({
  // Nobody can run our (signed) binary as a plain `node` with ELECTRON_RUN_AS_NODE. Possible because the
  // runtime runs in a utilityProcess (electron/main.ts), and workers use the user's own node.
  RunAsNode: false,
  // NODE_OPTIONS and --inspect* would let anything that can start our app inject code into it.
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  // Load the app only from app.asar, and check that archive against the hash embedded at build time
  // (macOS and Windows), so the shipped code cannot be swapped on disk.
  OnlyLoadAppFromAsar: true,
  EnableEmbeddedAsarIntegrityValidation: true,
  // Cookies and local storage encrypted with the OS keychain.
  EnableCookieEncryption: true,
  // file: pages get no extra privileges (we never load file: pages).
  GrantFileProtocolExtraPrivileges: false,
  LoadBrowserProcessSpecificV8Snapshot: false,
});

module.exports = { FUSES };
