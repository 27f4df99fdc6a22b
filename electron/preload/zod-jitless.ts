/**
 * Imported first by the preload: the page's CSP forbids eval, so zod must not even probe for it
 * (object schemas read this setting when they are built, i.e. when the contract module loads).
 */
import { z } from 'zod';

z.config({ jitless: true });
