export { default as App } from './app.svelte';
export { useRouter, setRouter, Router } from './router.svelte';
export { useWorkbench, setWorkbench, WorkbenchState } from './workbench.svelte';
