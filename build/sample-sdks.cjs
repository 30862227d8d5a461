// The packages the bundled samples load, for build/electron-builder.cjs (asarUnpack) and its test.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

// The bundled samples run in the user's own `node` with NODE_PATH set to Cloudbench's node_modules
// (runtime/control/workbench.ts), and that node cannot read inside app.asar. So these SDKs and everything
// they require are unpacked next to the archive.
const SAMPLE_SDKS = ['@azure/data-tables', '@azure/service-bus', '@azure/storage-queue'];

/** The package folders (relative to the root, `/`-separated) that `names` need at run time, transitively. */
function runtimeClosure(names, root = ROOT) {
  const found = new Set();
  const visit = (name, from) => {
    for (let dir = from; ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'node_modules', name, 'package.json');
      if (fs.existsSync(manifest)) {
        const folder = path.dirname(manifest);
        if (found.has(folder)) return;
        found.add(folder);
        const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
        for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, folder);
        return;
      }
      if (path.dirname(dir) === dir) {
        throw new Error(`build/electron-builder.cjs: ${name} (needed by the bundled samples) is not installed; run npm install.`);
      }
    }
  };
  for (const name of names) visit(name, root);
  return [...found].map((folder) => path.relative(root, folder).split(path.sep).join('/')).sort();
}

module.exports = { SAMPLE_SDKS, runtimeClosure };
