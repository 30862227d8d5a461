export { default as TerminalView } from './terminal-view.svelte';
export { TerminalsState, setTerminals, useTerminals } from './terminals-state.svelte';
