export { default as StorageView } from './storage-view.svelte';
export { StorageState } from './storage-state.svelte';
