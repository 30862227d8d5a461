// electron-builder configuration: npx electron-builder --config build/electron-builder.cjs --publish never
// Run by .github/workflows/release.yml (it needs the network: Electron zips and the NSIS/AppImage/fpm tools
// come from GitHub). Paths are relative to the repository root, where electron-builder runs.
// A script rather than YAML because one list is computed: the packages the bundled samples load
// (sample-sdks.cjs).
'use strict';
const { SAMPLE_SDKS, runtimeClosure } = require('./sample-sdks.cjs');

const config = {
  appId: 'dev.cloudbench.workbench',
  productName: 'Cloudbench',
  executableName: 'cloudbench',
  copyright: 'Copyright © Cloudbench contributors',
  // The version is package.json's; CI stamps a build number on untagged builds (buildVersion).
  directories: {
    output: 'dist/installers',
    // icon.png / icon.ico / icon.icns and icons/ (written by build/make-icons.mjs)
    buildResources: 'build',
  },
  // What goes into app.asar: the compiled main process, runtime and UI, the CLI entry, the runtime's icon.
  // node_modules production dependencies are added by electron-builder itself.
  files: [
    'package.json',
    'bin/cloudbench.js',
    'dist/electron/**/*.{js,cjs}',
    'dist/runtime/**/*',
    'dist/renderer/**/*',
    'resources/icons/**/*',
    '!**/*.{map,d.ts,d.cts,tsbuildinfo}',
  ],
  // Outside the archive: the sample projects are copied from here into the user's data folder on first run.
  extraResources: [{ from: 'resources/samples', to: 'samples' }],
  // Read by processes that cannot read asar: the workers' hook is loaded by the user's own `node`, native
  // modules (better-sqlite3, node-pty and its spawn-helper) are loaded or executed from disk, and the
  // samples' SDKs are loaded by the user's node through NODE_PATH.
  asarUnpack: [
    'dist/runtime/workers/hook.cjs',
    '**/node_modules/node-pty/**',
    '**/node_modules/better-sqlite3/**',
    '**/*.node',
    ...runtimeClosure(SAMPLE_SDKS).map((folder) => `${folder}/**`),
  ],
  // Native modules: rebuilt against Electron's headers by @electron/rebuild (better-sqlite3 uses V8's ABI;
  // node-pty is N-API, so it would load as is, but it has no Linux prebuild and is compiled anyway).
  npmRebuild: true,
  nodeGypRebuild: false,
  buildDependenciesFromSource: true,
  // Fuses (build/fuses.cjs), flipped before signing.
  afterPack: 'build/after-pack.cjs',
  // Auto-update metadata: latest*.yml next to the installers and app-update.yml inside the app, for
  // electron-updater. Releases are drafts on GitHub (owner/repo from package.json "repository" or the git
  // remote); CI builds with --publish never and uploads artifacts instead.
  publish: [{ provider: 'github', releaseType: 'draft' }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'build/icons',
    maintainer: 'Cloudbench contributors <cloudbench@users.noreply.github.com>',
    synopsis: 'Run a Node.js project locally the way Azure hosts it',
    desktop: { entry: { StartupWMClass: 'Cloudbench' } },
  },
  // node-pty needs nothing at run time; the workers need the user's own node.
  deb: { recommends: ['nodejs'] },
  win: { target: ['nsis'], icon: 'build/icon.ico' },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    artifactName: '${productName}-Setup-${version}-${arch}.${ext}',
  },
  mac: {
    target: ['dmg', 'zip'],
    category: 'public.app-category.developer-tools',
    icon: 'build/icon.icns',
    hardenedRuntime: true,
    // Signing and notarization need secrets (CSC_LINK, APPLE_ID…); without them CI builds unsigned apps.
  },
  dmg: { artifactName: '${productName}-${version}-${arch}.${ext}' },
};

module.exports = config;
