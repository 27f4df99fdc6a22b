/**
 * Renders one stored file to a small WebP: sharp for JPEG, PNG, WebP, AVIF (EXIF orientation applied),
 * libheif (worker) for HEIC, ffmpeg for videos when it is on PATH. Heavy work never runs on the main
 * thread: sharp uses libuv's pool, HEIC a worker, ffmpeg a child process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { HeicDecoder } from './heic-decoder';

export type ThumbnailSource = 'image' | 'heic' | 'video' | 'other';

const IMAGE = new Set(['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tif', 'tiff']);
const HEIC = new Set(['heic', 'heif', 'hif']);
const VIDEO = new Set(['mov', 'mp4', 'm4v', '3gp', 'avi', 'mkv', 'webm']);

/** Keep libvips small: one thread per image, no operation cache (thumbnails run one at a time anyway). */
sharp.concurrency(1);
sharp.cache(false);

export function sourceKind(file: string, contentType?: string | null): ThumbnailSource {
  const ext = path.extname(file).slice(1).toLowerCase();
  if (HEIC.has(ext) || contentType === 'image/heic' || contentType === 'image/heif') return 'heic';
  if (IMAGE.has(ext)) return 'image';
  if (VIDEO.has(ext) || contentType?.startsWith('video/')) return 'video';
  return 'other';
}

export interface RenderOptions {
  /** Longest side in pixels. */
  size: number;
  quality: number;
  heic: HeicDecoder;
  /** ffmpeg's path, or null when it is not available. */
  ffmpeg: string | null;
  /** Ends an ffmpeg run early (the app is closing or changing folders). */
  signal?: AbortSignal;
}

function toWebp(image: Sharp, options: RenderOptions): Promise<Buffer> {
  return image
    .resize(options.size, options.size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: options.quality })
    .toBuffer();
}

export interface Rendered {
  webp: Buffer;
  /** 'heic-thumbnail' when a HEIC's embedded thumbnail was used instead of decoding the full image. */
  via: 'sharp' | 'heic-thumbnail' | 'heic-full' | 'ffmpeg';
}

/** The thumbnail's WebP bytes, or null when this kind of file has none (a video without ffmpeg, say). */
export async function renderThumbnail(
  absPath: string,
  kind: ThumbnailSource,
  options: RenderOptions,
): Promise<Rendered | null> {
  switch (kind) {
    case 'image':
      // rotate() without arguments applies the EXIF orientation, then drops it.
      return {
        webp: await toWebp(sharp(absPath, { failOn: 'truncated', limitInputPixels: 2 ** 28 }).rotate(), options),
        via: 'sharp',
      };
    case 'heic': {
      // libheif applies the HEIC's own rotation (irot/imir); its EXIF orientation only repeats it.
      const decoded = await options.heic.decode(await fs.readFile(absPath), {
        minThumbnailSize: Math.min(options.size, 240),
      });
      const webp = await toWebp(
        sharp(decoded.rgba, { raw: { width: decoded.width, height: decoded.height, channels: 4 } }),
        options,
      );
      return { webp, via: decoded.fromThumbnail ? 'heic-thumbnail' : 'heic-full' };
    }
    case 'video': {
      if (!options.ffmpeg) return null;
      const frame = await videoFrame(options.ffmpeg, absPath, options.size * 2, options.signal);
      return { webp: await toWebp(sharp(frame), options), via: 'ffmpeg' };
    }
    default:
      return null;
  }
}

/**
 * One frame as PNG: half a second in (past a black first frame), else the first frame. ffmpeg applies the rotation
 * tag itself.
 */
async function videoFrame(ffmpeg: string, absPath: string, width: number, signal?: AbortSignal): Promise<Buffer> {
  try {
    return await runFfmpeg(ffmpeg, ['-ss', '0.5', '-i', absPath], width, signal);
  } catch (error) {
    if (signal?.aborted) throw error;
    return runFfmpeg(ffmpeg, ['-i', absPath], width, signal);
  }
}

function runFfmpeg(ffmpeg: string, input: string[], width: number, signal?: AbortSignal): Promise<Buffer> {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-frames:v',
    '1',
    '-vf',
    `scale='min(${width},iw)':-2`,
    '-f',
    'image2pipe',
    '-vcodec',
    'png',
    'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const png = Buffer.concat(out);
      if (code === 0 && png.length > 0) resolve(png);
      else reject(new Error(`ffmpeg could not read a frame (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

let ffmpegLookup: Promise<string | null> | undefined;

/** 'ffmpeg' when `ffmpeg -version` runs, else null (checked once per process). */
export function findFfmpeg(): Promise<string | null> {
  ffmpegLookup ??= new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-version'], { stdio: 'ignore' });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? 'ffmpeg' : null));
  });
  return ffmpegLookup;
}
