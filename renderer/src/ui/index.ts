// Building blocks shared by the views.
export { default as ConnectionBar } from './connection-bar.svelte';
export { default as CountStepper } from './count-stepper.svelte';
export { default as EmptyState } from './empty-state.svelte';
export { default as ErrorBox } from './error-box.svelte';
export { default as ProgressBar } from './progress-bar.svelte';
export { default as StateBadge } from './state-badge.svelte';
export { default as VirtualList } from './virtual-list.svelte';
export { instanceTone, workerTone } from './tones';
export type { Tone } from './tones';
