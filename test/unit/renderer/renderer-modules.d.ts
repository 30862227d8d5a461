// Seen only by test/tsconfig.json, which cannot compile browser code: there the renderer's modules are
// untyped. This folder's tsconfig.json excludes this file and maps `~renderer/*` to renderer/src instead
// (see load-renderer.ts).
declare module '~renderer/*';
