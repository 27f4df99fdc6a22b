import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createAppClient } from './api';
import { AppState } from './lib/app-state.svelte';

const app = new AppState(createAppClient());
void app.start();
mount(App, { target: document.getElementById('app')!, props: { app } });
