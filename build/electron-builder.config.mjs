// electron-builder configuration: `npm run dist` (needs the internet: electron-builder downloads
// Electron and its packaging tools). Installers land in out/release/.
/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'app.shoebox.desktop',
  productName: 'Shoebox',
  copyright: 'Copyright © Shoebox contributors',
  directories: { buildResources: 'build', output: 'out/release' },
  // The built app only: shell bundle, window, package.json; electron-builder adds production node_modules.
  files: [
    'package.json',
    'dist/shell/**/*',
    'dist/renderer/**/*',
    '!**/*.map',
    // Run-time dependencies of the command-line tools only (tsx runs the TypeScript sources).
    '!node_modules/tsx/**/*',
    '!node_modules/esbuild/**/*',
    '!node_modules/@esbuild/**/*',
  ],
  extraMetadata: { main: 'dist/shell/main.js' },
  asar: true,
  // Native code must live outside the archive: sharp's addon and libvips, ws's bufferutil.
  asarUnpack: ['**/node_modules/sharp/**/*', '**/node_modules/@img/**/*', '**/node_modules/bufferutil/**/*'],
  // Every native dependency ships N-API prebuilds that Electron loads as they are.
  npmRebuild: false,
  // Features Shoebox never uses, burnt out of the shipped binary: no running as plain Node, no
  // NODE_OPTIONS or --inspect, only our own (integrity-checked) app.asar, no file:// privileges.
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  icon: 'build/icon.png',
  mac: {
    category: 'public.app-category.photography',
    target: ['dmg', 'zip'],
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
    extendInfo: {
      NSLocalNetworkUsageDescription: 'Shoebox receives photo backups from your iPhone over your local network.',
      NSBonjourServices: ['_shoebox._tcp'],
    },
  },
  dmg: { title: 'Shoebox ${version}' },
  win: { target: ['nsis'] },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Graphics',
    synopsis: 'Back up your iPhone photos to this computer over the local network',
    maintainer: 'Shoebox contributors <shoebox@users.noreply.github.com>',
  },
  deb: {},
  publish: null,
};

export default config;
