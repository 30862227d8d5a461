export { default as ServiceBusView } from './servicebus-view.svelte';
export { ServiceBusState } from './servicebus-state.svelte';
