/**
 * `npm run lint` (ESLint 9, flat config): typescript-eslint's recommended rules (type-aware for the
 * TypeScript sources), eslint-plugin-svelte for the window's components, eslint-config-prettier so no
 * rule argues with the formatter, and one line-length check at Prettier's width (package.json's
 * "prettier" key) so that comments and strings, which Prettier leaves alone, stay within it too.
 *
 * Lives in build/ to keep the top level as designed; the scripts pass `--config build/eslint.config.mjs`
 * and run from the repo root, the base of every pattern below.
 */
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import pkg from '../package.json' with { type: 'json' };
import svelteConfig from '../renderer/svelte.config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TS = ['**/*.ts', '**/*.mts', '**/*.cts'];
const JS = ['**/*.js', '**/*.mjs', '**/*.cjs'];

export default defineConfig(
  globalIgnores(['dist/', 'out/', 'coverage/', 'test-results/', 'node_modules/', '**/.vite/', '**/.vite-temp/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  prettier,
  svelte.configs.prettier,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // The nearest tsconfig.json of each file: tsconfig.json (electron, shared, test), renderer/tsconfig.json
        // (the window, its .svelte files included); the few config files outside both use a default project.
        projectService: { allowDefaultProject: ['renderer/vite.config.ts', 'renderer/*.mjs', 'renderer/*.js'] },
        tsconfigRootDir: root,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    files: ['renderer/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, svelteConfig } },
  },
  // Plain JavaScript (build scripts, the bin stub, config files): no type information.
  { files: JS, extends: [tseslint.configs.disableTypeChecked] },
  {
    files: [...TS, '**/*.svelte'],
    rules: {
      // `_`-prefixed names are unused on purpose (a parameter kept for its position).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Off: an `async` handler without `await` (AppApiHandlers, the receiver's routes) is async on
      // purpose, so a throw becomes a rejection; dropping `async` to please the rule would change that.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Last, after eslint-config-prettier has switched the length rules off: Prettier wraps code at
    // printWidth but cannot wrap a comment or a string; this catches those.
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': [
        'error',
        { code: pkg.prettier.printWidth, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
