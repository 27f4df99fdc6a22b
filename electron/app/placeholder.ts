/** Small SVG stand-ins for files without a picture (a video without ffmpeg, an unreadable file). */
import type { ThumbnailSource } from './thumbnails';

const PLAY =
  '<circle cx="160" cy="120" r="38" fill="#fff" fill-opacity=".85"/><path d="M148 98v44l36-22z" fill="#4a4f57"/>';
const PICTURE =
  '<rect x="112" y="84" width="96" height="72" rx="8" fill="none" stroke="#fff" ' +
  'stroke-opacity=".85" stroke-width="6"/>' +
  '<circle cx="138" cy="108" r="9" fill="#fff" fill-opacity=".85"/>' +
  '<path d="M118 150l28-30 20 20 14-12 24 22z" fill="#fff" fill-opacity=".85"/>';

export function placeholderSvg(kind: ThumbnailSource): string {
  const body = kind === 'video' ? PLAY : PICTURE;
  const label = kind === 'video' ? 'Video' : 'No preview';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 240" width="320" height="240" role="img" aria-label="${label}"><rect width="320" height="240" fill="#6b7280"/>${body}<text x="160" y="205" font-family="system-ui,sans-serif" font-size="20" fill="#fff" text-anchor="middle">${label}</text></svg>`;
}
