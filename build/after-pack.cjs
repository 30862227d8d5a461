// electron-builder afterPack hook: flips the fuses of fuses.cjs in the packaged Electron binary. It runs
// after the app is copied and before signing, so the signature covers the flipped binary.
'use strict';
const path = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');
const { FUSES } = require('./fuses.cjs');

/** The Electron executable electron-builder produced for this platform. */
function executableOf(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${name}.app`);
    case 'win32':
      return path.join(appOutDir, `${name}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

/** @param {import('app-builder-lib').AfterPackContext} context */
exports.default = async function afterPack(context) {
  /** @type {Record<number, boolean>} */
  const fuses = {};
  for (const [name, value] of Object.entries(FUSES)) {
    const key = FuseV1Options[name];
    if (typeof key !== 'number') throw new Error(`build/fuses.cjs: unknown fuse ${name}`);
    fuses[key] = value;
  }
  const executable = executableOf(context);
  // arm64 macOS binaries must stay (ad-hoc) signed to run at all; flipping fuses invalidates that signature.
  const resetAdHocDarwinSignature = context.electronPlatformName === 'darwin' && context.arch === 3; /* Arch.arm64 */
  await flipFuses(executable, { version: FuseVersion.V1, resetAdHocDarwinSignature, ...fuses });
  console.log(`  • fuses flipped in ${executable}: ${Object.entries(FUSES).map(([k, v]) => `${k}=${v}`).join(', ')}`);
};
