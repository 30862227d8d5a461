export { default as RequestsView } from './requests-view.svelte';
export { RequestsState, setRequests, useRequests } from './requests-state.svelte';
