export { default as OpenView } from './open-view.svelte';
