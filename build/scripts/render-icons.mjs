#!/usr/bin/env node
// Renders the PNG icons from the SVG sources in build/icons-src (sharp): the app icon build/icon.png
// (electron-builder derives .icns, .ico and Linux sizes from it) and the tray pictures in build/tray/
// (16 px and @2x 32 px; macOS "Template" images in black, coloured ones for Windows and Linux).
// Run after editing an SVG: node build/scripts/render-icons.mjs
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const buildDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = (name) => readFile(path.join(buildDir, 'icons-src', name), 'utf8');
const png = (svg, size) =>
  sharp(Buffer.from(svg), { density: 72 * (size / 32) })
    .resize(size, size)
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();

/** Colours per variant: macOS templates are black on transparent (the system tints them). */
const VARIANTS = {
  template: { idle: { GLYPH: '#000' }, receiving: { GLYPH: '#000' }, attention: { GLYPH: '#000', BADGE: '#000' } },
  colour: {
    idle: { GLYPH: '#f59e0b' },
    receiving: { GLYPH: '#3b82f6' },
    attention: { GLYPH: '#f59e0b', BADGE: '#ef4444' },
  },
};

const written = [];
async function write(file, bytes) {
  await writeFile(file, bytes);
  written.push(`${path.relative(buildDir, file)} (${bytes.length} B)`);
}

await mkdir(path.join(buildDir, 'tray'), { recursive: true });
const app = await src('app.svg');
await write(
  path.join(buildDir, 'icon.png'),
  await sharp(Buffer.from(app))
    .resize(1024, 1024)
    .png({ compressionLevel: 9, palette: true, quality: 90, effort: 10 })
    .toBuffer(),
);

for (const state of ['idle', 'receiving', 'attention']) {
  const svg = await src(`tray-${state}.svg`);
  for (const [variant, colours] of Object.entries(VARIANTS)) {
    const filled = Object.entries(colours[state]).reduce(
      (text, [key, colour]) => text.replaceAll(`"${key}"`, `"${colour}"`),
      svg,
    );
    const base = variant === 'template' ? `tray-${state}Template` : `tray-${state}`;
    await write(path.join(buildDir, 'tray', `${base}.png`), await png(filled, 16));
    await write(path.join(buildDir, 'tray', `${base}@2x.png`), await png(filled, 32));
  }
}
console.log(`Rendered:\n  ${written.join('\n  ')}`);
