/**
 * The layering of docs/ARCHITECTURE.md ("Where things are", the "may import" column), enforced:
 * `npm run lint:layers`, run by `npm test` before any test (paths resolved with build/layers.tsconfig.json,
 * which knows the renderer's `$shared` alias). Layers import downward only, and no module takes part
 * in an import cycle. An exception is listed here by name, with the issue that removes it.
 */
const notUnder = (...folders) => ({ pathNot: folders.map((f) => `^${f}`) });

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles hide which module owns what.', from: {}, to: { circular: true } },
    {
      name: 'protocol-is-the-bottom', severity: 'error', comment: 'shared/protocol imports nothing of ours (zod only).',
      from: { path: '^shared/protocol/' }, to: { path: '^(shared|electron|renderer)/', ...notUnder('shared/protocol/') },
    },
    {
      name: 'leaf-helpers', severity: 'error', comment: 'shared/format.ts and shared/text.ts import nothing of ours.',
      from: { path: '^shared/(format|text)\\.ts$' }, to: { path: '^(shared|electron|renderer)/' },
    },
    {
      name: 'app-api-contract', severity: 'error', comment: 'shared/app-api: the contract, on zod, protocol and the leaf helpers.',
      from: { path: '^shared/app-api/' }, to: { path: '^(shared|electron|renderer)/', ...notUnder('shared/app-api/', 'shared/protocol/', 'shared/format.ts', 'shared/text.ts') },
    },
    {
      name: 'discovery-on-protocol', severity: 'error', comment: 'shared/discovery may import protocol only.',
      from: { path: '^shared/discovery/' }, to: { path: '^(shared|electron|renderer)/', ...notUnder('shared/discovery/', 'shared/protocol/', 'shared/format.ts', 'shared/text.ts') },
    },
    {
      name: 'simulator-on-contracts', severity: 'error', comment: 'shared/simulator may import protocol and discovery, never the receiver or the app.',
      from: { path: '^shared/simulator/' }, to: { path: '^(shared|electron|renderer)/', ...notUnder('shared/simulator/', 'shared/protocol/', 'shared/discovery/', 'shared/format.ts', 'shared/text.ts') },
    },
    {
      name: 'shared-is-shared', severity: 'error', comment: 'Nothing in shared/ imports electron/ or renderer/.',
      from: { path: '^shared/' }, to: { path: '^(electron|renderer)/' },
    },
    {
      name: 'receiver-core', severity: 'error', comment: 'electron/receiver imports shared only: no app, launch, shell or UI.',
      from: { path: '^electron/receiver/' }, to: { path: '^(electron/(app|launch|main|preload)|renderer)/' },
    },
    {
      name: 'receiver-util-at-the-bottom', severity: 'error', comment: 'electron/receiver/util: durable files, folder layout, path confinement, locks; imports no other receiver folder.',
      from: { path: '^electron/receiver/util/' }, to: { path: '^electron/receiver/', ...notUnder('electron/receiver/util/') },
    },
    {
      name: 'receiver-library-below-ingest', severity: 'error', comment: 'The library index is written by the ingest core, never the other way round.',
      from: { path: '^electron/receiver/library/' }, to: { path: '^electron/receiver/(ingest|photokit|stream|http|thumbnails|discovery|network)/' },
    },
    {
      name: 'receiver-ingest-below-transports', severity: 'error', comment: 'The ingest core owns an upload; transports call it and the activity tracker follows its events, it never calls them.',
      from: { path: '^electron/receiver/ingest/' }, to: { path: '^electron/receiver/(photokit|stream|http|thumbnails|discovery|network|activity)/' },
    },
    {
      name: 'receiver-composition-on-top', severity: 'error', comment: 'Only the composition root imports receiver.ts.',
      from: { path: '^electron/receiver/', pathNot: '^electron/receiver/receiver\\.ts$' }, to: { path: '^electron/receiver/receiver\\.ts$' },
    },
    {
      name: 'app-layer', severity: 'error', comment: 'electron/app imports the receiver and shared, never launch, the shell or the UI.',
      from: { path: '^electron/app/' }, to: { path: '^(electron/(launch|main|preload)|renderer)/' },
    },
    {
      name: 'launch-layer', severity: 'error', comment: 'electron/launch imports app, receiver and shared, not the shell\'s modules.',
      from: { path: '^electron/launch/' }, to: { path: '^(electron/preload|renderer)/' },
    },
    {
      name: 'shell-is-thin', severity: 'error', comment: 'electron/main and electron/preload import app and shared: not the receiver past the app layer, not launch, not the UI.',
      from: { path: '^electron/(main|preload)/' }, to: { path: '^(electron/(receiver|launch)|renderer)/' },
    },
    {
      name: 'ui-on-contracts', severity: 'error', comment: 'renderer/ talks to the core through shared contracts only.',
      from: { path: '^renderer/' }, to: { path: '^electron/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'build/layers.tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.svelte'] },
  },
};
