/**
 * The layering of docs/ARCHITECTURE.md ("Where things are", the "may import" column), enforced:
 * `npm run lint:layers`, run by `npm test` before any test (paths resolved with build/layers.tsconfig.json,
 * which knows the renderer's `$shared` alias). Layers import downward only, and no module takes part
 * in an import cycle. An exception is listed here by name, with the issue that removes it.
 */
const notUnder = (...folders) => ({ pathNot: folders.map((f) => `^${f}`) });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles hide which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-the-bottom',
      severity: 'error',
      comment: 'shared/protocol imports nothing of ours (zod only).',
      from: { path: '^shared/protocol/' },
      to: { path: '^(shared|electron|renderer)/', ...notUnder('shared/protocol/') },
    },
    {
      name: 'storage-is-the-bottom',
      severity: 'error',
      comment: 'shared/storage (durable files, path confinement) imports nothing but node: builtins.',
      from: { path: '^shared/storage/' },
      to: { pathNot: '^shared/storage/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'storage-is-node-only',
      severity: 'error',
      comment: 'shared/storage is Node only (*.nodejs.ts): the window never imports it.',
      from: { path: '^renderer/' },
      to: { path: '^shared/storage/' },
    },
    {
      name: 'leaf-helpers',
      severity: 'error',
      comment: 'shared/format.ts and shared/text.ts import nothing of ours.',
      from: { path: '^shared/(format|text)\\.ts$' },
      to: { path: '^(shared|electron|renderer)/' },
    },
    {
      name: 'app-api-contract',
      severity: 'error',
      comment: 'shared/app-api: the contract, on zod, protocol and the leaf helpers.',
      from: { path: '^shared/app-api/' },
      to: {
        path: '^(shared|electron|renderer)/',
        ...notUnder('shared/app-api/', 'shared/protocol/', 'shared/format.ts', 'shared/text.ts'),
      },
    },
    {
      name: 'discovery-on-protocol',
      severity: 'error',
      comment: 'shared/discovery may import protocol only.',
      from: { path: '^shared/discovery/' },
      to: {
        path: '^(shared|electron|renderer)/',
        ...notUnder('shared/discovery/', 'shared/protocol/', 'shared/format.ts', 'shared/text.ts'),
      },
    },
    {
      name: 'simulator-on-contracts',
      severity: 'error',
      comment: 'shared/simulator may import protocol, discovery and storage, never the receiver or the app.',
      from: { path: '^shared/simulator/' },
      to: {
        path: '^(shared|electron|renderer)/',
        ...notUnder(
          'shared/simulator/',
          'shared/protocol/',
          'shared/discovery/',
          'shared/storage/',
          'shared/format.ts',
          'shared/text.ts',
        ),
      },
    },
    {
      name: 'simulator-stands-apart',
      severity: 'error',
      comment:
        "The simulated phone is a client: only the shoebox simulate command and the window's Simulator view use it; " +
        'the product and its contracts never do.',
      from: { pathNot: ['^shared/simulator/', '^electron/launch/cli/', '^renderer/src/simulator/'] },
      to: { path: '^shared/simulator/' },
    },
    {
      name: 'shared-is-shared',
      severity: 'error',
      comment: 'Nothing in shared/ imports electron/ or renderer/.',
      from: { path: '^shared/' },
      to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'shared-browser-safe-by-default',
      severity: 'error',
      comment:
        'In shared/, a file that needs Node ends in .nodejs.ts; any other file runs in the browser too, ' +
        'so it imports no Node builtin, no Node-only package and no .nodejs file (type-only imports are fine).',
      from: { path: '^shared/', pathNot: '\\.nodejs\\.ts$' },
      to: {
        dependencyTypesNot: ['type-only'],
        path: ['\\.nodejs\\.ts$', '^node_modules/(ws|bonjour-service|sharp|lowdb)/'],
      },
    },
    {
      name: 'shared-browser-safe-no-builtins',
      severity: 'error',
      comment: 'See shared-browser-safe-by-default: no node: builtins outside *.nodejs.ts in shared/.',
      from: { path: '^shared/', pathNot: '\\.nodejs\\.ts$' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-is-browser-code',
      severity: 'error',
      comment: 'The window runs in a browser (sandboxed in Electron): no Node builtins, no .nodejs files.',
      from: { path: '^renderer/' },
      to: { dependencyTypesNot: ['type-only'], path: '\\.nodejs\\.ts$' },
    },
    {
      name: 'renderer-no-builtins',
      severity: 'error',
      comment: 'See renderer-is-browser-code.',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-the-shell-entry',
      severity: 'error',
      comment:
        'Only electron/main/index.ts and electron/preload/index.ts import electron; ' +
        'everything else gets Electron objects injected (electron-like.ts).',
      from: { pathNot: '^electron/(main|preload)/index\\.ts$' },
      to: { dependencyTypesNot: ['type-only'], path: '^node_modules/electron/' },
    },
    {
      name: 'receiver-core',
      severity: 'error',
      comment: 'electron/receiver imports shared only: no app, launch, shell or UI.',
      from: { path: '^electron/receiver/' },
      to: { path: '^(electron/(app|launch|main|preload)|renderer)/' },
    },
    {
      name: 'receiver-util-at-the-bottom',
      severity: 'error',
      comment:
        'electron/receiver/util: the folder layout, locks, the lowdb adapter, ' +
        'on shared/storage; imports no other receiver folder.',
      from: { path: '^electron/receiver/util/' },
      to: { path: '^electron/receiver/', ...notUnder('electron/receiver/util/') },
    },
    {
      name: 'receiver-library-below-ingest',
      severity: 'error',
      comment: 'The library index is written by the ingest core, never the other way round.',
      from: { path: '^electron/receiver/library/' },
      to: { path: '^electron/receiver/(ingest|photokit|stream|http|discovery|trust)/' },
    },
    {
      name: 'receiver-ingest-below-transports',
      severity: 'error',
      comment:
        'The ingest core owns an upload; transports call it and the activity tracker follows its events, ' +
        'it never calls them.',
      from: { path: '^electron/receiver/ingest/' },
      to: { path: '^electron/receiver/(photokit|stream|http|discovery|trust|activity)/' },
    },
    {
      name: 'receiver-composition-on-top',
      severity: 'error',
      comment: 'Only the composition root imports receiver.ts.',
      from: { path: '^electron/receiver/', pathNot: '^electron/receiver/receiver\\.ts$' },
      to: { path: '^electron/receiver/receiver\\.ts$' },
    },
    {
      name: 'receiver-test-seam',
      severity: 'error',
      comment: "The receiver's internals are for tests: callers use the Receiver facade (receiver-api.ts).",
      from: { path: '^(electron|shared|renderer)/', pathNot: '^electron/receiver/receiver\\.ts$' },
      to: { path: '^electron/receiver/test-seam\\.ts$' },
    },
    {
      name: 'app-layer',
      severity: 'error',
      comment: 'electron/app imports the receiver and shared, never launch, the shell or the UI.',
      from: { path: '^electron/app/' },
      to: { path: '^(electron/(launch|main|preload)|renderer)/' },
    },
    {
      name: 'launch-layer',
      severity: 'error',
      comment: "electron/launch imports app, receiver and shared, not the shell's modules.",
      from: { path: '^electron/launch/' },
      to: { path: '^(electron/preload|renderer)/' },
    },
    {
      name: 'shell-is-thin',
      severity: 'error',
      comment:
        'electron/main and electron/preload import app and shared: ' +
        'not the receiver past the app layer, not launch, not the UI.',
      from: { path: '^electron/(main|preload)/' },
      to: { path: '^(electron/(receiver|launch)|renderer)/' },
    },
    {
      name: 'ui-on-contracts',
      severity: 'error',
      comment: 'renderer/ talks to the core through shared contracts only.',
      from: { path: '^renderer/' },
      to: { path: '^electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'build/layers.tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.svelte'] },
  },
};
