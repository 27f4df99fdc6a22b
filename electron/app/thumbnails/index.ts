/** Thumbnails of stored files for the window: cache, background queue, renderers. */
export {
  ThumbnailService,
  THUMBNAIL_SIZE,
  type ThumbnailAnswer,
  type ThumbnailServiceOptions,
} from './thumbnail-service';
export { sourceKind, findFfmpeg, type ThumbnailSource } from './render';
export { HeicDecoder, type DecodedImage } from './heic-decoder';
