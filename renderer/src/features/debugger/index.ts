export { default as DebuggerView } from './debugger-view.svelte';
export { default as DebugActions } from './debug-actions.svelte';
export { DebuggerState, setDebugger, useDebugger } from './debugger-state.svelte';
