// Electron's app.asar is readable only by Electron's own processes. Files that the user's `node` loads (the
// workers' hook, the bundled samples' SDKs) are unpacked by the packager into app.asar.unpacked beside it
// (build/electron-builder.cjs asarUnpack).

/** A path inside app.asar, moved to app.asar.unpacked; unchanged outside an archive. */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}
