/**
 * Preload of the window (sandboxed: bundled into one CommonJS file, dist/shell/preload.cjs, with only
 * 'electron' left to require). Exposes `window.shoebox` and nothing else.
 */
import './zod-jitless';
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './bridge';

exposeBridge(contextBridge, ipcRenderer);
