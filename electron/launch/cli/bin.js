#!/usr/bin/env node
// The `shoebox` command (npx shoebox serve ...): runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
