export { default as OverviewView } from './overview-view.svelte';
