export { default as DeploymentsView } from './deployments-view.svelte';
