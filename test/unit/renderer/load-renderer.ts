// Loads a module of renderer/src for a test: `await load<typeof M>('lib/format')`, with
// `import type * as M from '~renderer/lib/format'`.
//
// Why not a plain import: the renderer is browser code (DOM lib, bundler resolution, extensionless imports)
// and test/tsconfig.json (NodeNext, no DOM, composite, part of `tsc -b`) cannot compile it. A static import
// from here would pull renderer/src into that program and fail the build. So the module is imported by a URL
// the compiler does not follow, and `~renderer/*` types resolve two ways:
// - under this folder's tsconfig.json (`paths`) to the real modules, fully checked:
//     npx tsc -p test/unit/renderer/tsconfig.json
// - under test/tsconfig.json to renderer-modules.d.ts, where they are `any`, so `tsc -b` stays green.
// The tests therefore name renderer types only through the helpers below (or `typeof` a value), annotate
// the parameters of callbacks they pass to renderer code, and pass no type arguments to renderer functions.
// Protocol types come from runtime/shared directly: they are real under both configurations.
export async function load<M>(path: string): Promise<M> {
  const url = new URL(`../../../renderer/src/${path}.ts`, import.meta.url).href;
  return (await import(/* @vite-ignore */ url)) as M;
}

type IsAny<T> = 0 extends 1 & T ? true : false;

/** The type of argument N of function F (`any` under test/tsconfig.json). */
export type Arg<F, N extends number = 0> = IsAny<F> extends true ? any : F extends (...args: infer A) => unknown ? A[N] : never;

/** The type of argument N of class C's constructor (`any` under test/tsconfig.json). */
export type CtorArg<C, N extends number = 0> = IsAny<C> extends true ? any : C extends abstract new (...args: infer A) => unknown ? A[N] : never;
