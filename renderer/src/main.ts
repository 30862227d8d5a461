// Entry point of the workbench page.
import './lib/zod-config';
import { mount } from 'svelte';
import './app.css';
import { App } from './app';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
