// HEIC decoding off the main thread (libheif compiled to WebAssembly): the receiver's event loop never
// waits for it. Takes { id, bytes }, answers { id, ok, width, height, rgba, fromThumbnail } with the
// primary image's embedded thumbnail when the file has one (an iPhone HEIC does), else the image itself.
// Plain JavaScript so it runs in a worker without a TypeScript loader.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('libheif-js/libheif-wasm/libheif.js'));
const modulePromise = Promise.resolve(
  require('libheif-js/libheif-wasm/libheif.js')({ wasmBinary: readFileSync(path.join(dir, 'libheif.wasm')) }),
);

const COLORSPACE_RGB = 1;
const CHROMA_INTERLEAVED_RGBA = 11;
const CHANNEL_INTERLEAVED = 10;

/** Decodes a raw heif_image_handle* to RGBA (transformations such as irot applied, as libheif does by default). */
function decodeHandle(m, handlePtr) {
  const sret = m._malloc(16);
  const out = m._malloc(4);
  const stride = m._malloc(4);
  let image = 0;
  try {
    m._heif_decode_image(sret, handlePtr, out, COLORSPACE_RGB, CHROMA_INTERLEAVED_RGBA, 0);
    if (m.HEAP32[sret >> 2] !== 0)
      throw new Error(`libheif could not decode the image (error ${m.HEAP32[sret >> 2]}.${m.HEAP32[(sret >> 2) + 1]})`);
    image = m.HEAPU32[out >> 2];
    const width = m._heif_image_get_width(image, CHANNEL_INTERLEAVED);
    const height = m._heif_image_get_height(image, CHANNEL_INTERLEAVED);
    const data = m._heif_image_get_plane_readonly(image, CHANNEL_INTERLEAVED, stride);
    if (!data || width <= 0 || height <= 0) throw new Error('libheif returned no pixels');
    const rowBytes = m.HEAP32[stride >> 2];
    const rgba = new Uint8Array(width * height * 4);
    const heap = m.HEAPU8;
    for (let y = 0; y < height; y += 1)
      rgba.set(heap.subarray(data + y * rowBytes, data + y * rowBytes + width * 4), y * width * 4);
    return { width, height, rgba };
  } finally {
    if (image) m._heif_image_release(image);
    m._free(sret);
    m._free(out);
    m._free(stride);
  }
}

/** The primary image's first embedded thumbnail handle (caller releases), or 0. */
function thumbnailHandle(m, primaryPtr) {
  const count = m._heif_image_handle_get_number_of_thumbnails(primaryPtr);
  if (count < 1) return 0;
  const ids = m._malloc(4 * count);
  const sret = m._malloc(16);
  const out = m._malloc(4);
  try {
    m._heif_image_handle_get_list_of_thumbnail_IDs(primaryPtr, ids, count);
    m._heif_image_handle_get_thumbnail(sret, primaryPtr, m.HEAPU32[ids >> 2], out);
    return m.HEAP32[sret >> 2] === 0 ? m.HEAPU32[out >> 2] : 0;
  } finally {
    m._free(ids);
    m._free(sret);
    m._free(out);
  }
}

async function decode(bytes, preferThumbnail, minThumbnailSize) {
  const m = await modulePromise;
  const context = m.heif_context_alloc();
  let primary;
  try {
    const error = m.heif_context_read_from_memory(context, bytes);
    if (error.code !== m.heif_error_code.heif_error_Ok) throw new Error(`not a readable HEIF file: ${error.message}`);
    primary = m.heif_js_context_get_primary_image_handle(context);
    if (!primary || primary.code) throw new Error('the HEIF file has no primary image');
    const primaryPtr = primary.$$.ptr;
    if (preferThumbnail) {
      const thumb = thumbnailHandle(m, primaryPtr);
      if (thumb) {
        try {
          const big =
            Math.max(m._heif_image_handle_get_width(thumb), m._heif_image_handle_get_height(thumb)) >= minThumbnailSize;
          if (big) return { ...decodeHandle(m, thumb), fromThumbnail: true };
        } finally {
          m._heif_image_handle_release(thumb);
        }
      }
    }
    return { ...decodeHandle(m, primaryPtr), fromThumbnail: false };
  } finally {
    if (primary && primary.$$) m.heif_image_handle_release(primary);
    m.heif_context_free(context);
  }
}

parentPort.on('message', async ({ id, bytes, preferThumbnail = true, minThumbnailSize = 160 }) => {
  try {
    const result = await decode(new Uint8Array(bytes), preferThumbnail, minThumbnailSize);
    parentPort.postMessage({ id, ok: true, ...result }, [result.rgba.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
