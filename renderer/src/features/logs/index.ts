export { default as LogsView } from './logs-view.svelte';
export { LogsState, setLogs, useLogs } from './logs-state.svelte';
