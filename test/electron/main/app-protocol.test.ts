/** app://shoebox/ serves the built window and nothing else; shoebox-thumb:// serves thumbnails. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appFileResponse,
  registerProtocols,
  thumbnailResponse,
  type ThumbnailSourceLike,
} from '../../../electron/main/app-protocol';
import { CSP } from '../../../electron/main/security';
import type { ThumbnailAnswer } from '../../../electron/app/thumbnails';
import { FakeProtocol } from '../../helpers/shell/fakes';

let root: string;
let rendererDir: string;
const SHA = 'a'.repeat(64);

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shoebox-protocol-'));
  rendererDir = path.join(root, 'renderer');
  await fs.mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Shoebox</title>');
  await fs.writeFile(path.join(rendererDir, 'assets', 'index-1.js'), 'console.log(1)');
  await fs.writeFile(path.join(root, 'secret.txt'), 'outside');
  await fs.writeFile(path.join(root, 'thumb.webp'), 'WEBPDATA');
});

afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('app:// files', () => {
  it('serves the window with our CSP and the right types', async () => {
    const page = await appFileResponse(rendererDir, 'app://shoebox/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Shoebox</title>');
    const script = await appFileResponse(rendererDir, 'app://shoebox/assets/index-1.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await (await appFileResponse(rendererDir, 'app://shoebox/')).text()).toContain('<title>');
    expect(await (await appFileResponse(rendererDir, 'app://shoebox/devices')).text()).toContain('<title>');
  });

  it('never serves a file outside the renderer folder, another host, or a write', async () => {
    for (const url of [
      'app://shoebox/../secret.txt',
      'app://shoebox/%2e%2e/secret.txt',
      'app://shoebox/assets/..%2f..%2fsecret.txt',
      'app://shoebox/%2e%2e%5csecret.txt',
      'app://shoebox/missing.js',
    ]) {
      const response = await appFileResponse(rendererDir, url);
      expect(response.status, url).toBe(404);
    }
    expect((await appFileResponse(rendererDir, 'app://other/index.html')).status).toBe(404);
    expect((await appFileResponse(rendererDir, 'app://shoebox/index.html', 'POST')).status).toBe(405);
    expect((await appFileResponse(rendererDir, 'app://shoebox/a%00.js')).status).toBe(400);
    expect((await appFileResponse(rendererDir, 'app://shoebox/%E0%A4%A')).status).toBe(400);
  });

  it('says how to build the window when it is not built', async () => {
    const response = await appFileResponse(path.join(root, 'nothing'), 'app://shoebox/index.html');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:ui');
  });
});

describe('shoebox-thumb://', () => {
  const source = (answer: ThumbnailAnswer | null, isSwitching = false): ThumbnailSourceLike => ({
    isSwitching,
    thumbnails: { get: async (sha) => (sha === SHA ? answer : null) },
  });

  it('serves a thumbnail file as WebP, a placeholder as SVG', async () => {
    const file = await thumbnailResponse(
      source({ type: 'file', path: path.join(root, 'thumb.webp') }),
      `shoebox-thumb://${SHA}`,
    );
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/webp');
    expect(await file.text()).toBe('WEBPDATA');
    const placeholder = await thumbnailResponse(
      source({ type: 'placeholder', kind: 'video', reason: 'no ffmpeg' }),
      `shoebox-thumb://${SHA}/`,
    );
    expect(placeholder.headers.get('content-type')).toBe('image/svg+xml');
    expect(await placeholder.text()).toContain('<svg');
  });

  it('answers 404 for anything but a known SHA-256, 503 while the folder changes', async () => {
    const s = source({ type: 'file', path: path.join(root, 'thumb.webp') });
    for (const url of [
      'shoebox-thumb://abc',
      `shoebox-thumb://${SHA}/../x`,
      `shoebox-thumb://${'b'.repeat(64)}`,
      `app://shoebox/${SHA}`,
    ]) {
      expect((await thumbnailResponse(s, url)).status, url).toBe(404);
    }
    expect((await thumbnailResponse(source(null, true), `shoebox-thumb://${SHA}`)).status).toBe(503);
  });

  it('are both registered; thumbnails wait for the service', async () => {
    const protocol = new FakeProtocol();
    let service: ThumbnailSourceLike | null = null;
    registerProtocols(protocol, rendererDir, () => service);
    expect([...protocol.handlers.keys()].sort()).toEqual(['app', 'shoebox-thumb']);
    expect((await protocol.fetch('app://shoebox/index.html')).status).toBe(200);
    expect((await protocol.fetch(`shoebox-thumb://${SHA}`)).status).toBe(503);
    service = source({ type: 'placeholder', kind: 'other', reason: '' });
    expect((await protocol.fetch(`shoebox-thumb://${SHA}`)).status).toBe(200);
  });
});
