/**
 * The destination URLRequest a Shoebox-aware extension builds for one asset resource: the raw bytes go
 * as the body; token, filename, type, date and digest travel in the URL and headers (docs/PROTOCOL.md,
 * "PhotoKit HTTP uploads"). docs/IOS-EXTENSION.md has the same in Swift. Node and browser.
 */
import { RESOURCE_TYPES, type ResourceType } from '../../protocol/constants';
import { formatReprDigest, PHOTOKIT_PATHS, photokitPath, SHOEBOX_HEADER } from '../../protocol/photokit-wire';
import type { SourceInfo } from '../upload-source';
import type { DestinationRequest } from './job-types';

export interface DestinationConfig {
  /** http(s)://host:port of the receiver. */
  baseUrl: string;
  /** The device token from pairing. */
  token: string;
  /** POST (default) or PUT: the receiver takes either. */
  method?: 'POST' | 'PUT';
}

/** What the extension knows of a resource when it creates the job. */
export interface ResourceDescription extends SourceInfo {
  /** SHA-256, 64 hex digits: sent as Repr-Digest so known content is answered at once. */
  sha256?: string;
  contentType?: string;
  /** ISO 8601 local date-time with the phone's offset. */
  captureDate?: string;
}

/** The asset resource a destination URL names (/v1/photokit/{asset id}/{type}); undefined for any other URL. */
export function resourceOfUrl(url: string): { assetId: string; resourceType: ResourceType } | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (!pathname.startsWith(PHOTOKIT_PATHS.uploads)) return undefined;
  const [asset, type, ...rest] = pathname.slice(PHOTOKIT_PATHS.uploads.length).split('/');
  if (!asset || !type || rest.length > 0) return undefined;
  const resourceType = type as ResourceType;
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) return undefined;
  try {
    return { assetId: decodeURIComponent(asset), resourceType };
  } catch {
    return undefined;
  }
}

export function buildDestination(config: DestinationConfig, resource: ResourceDescription): DestinationRequest {
  const headers: Record<string, string> = {
    // Not Authorization: it is one of URLRequest's reserved headers, which the system may drop or overwrite.
    [SHOEBOX_HEADER.token]: config.token,
    [SHOEBOX_HEADER.filename]: encodeURIComponent(resource.filename),
    'Content-Type': resource.contentType ?? 'application/octet-stream',
  };
  if (resource.captureDate) headers[SHOEBOX_HEADER.creationDate] = resource.captureDate;
  if (resource.sha256) headers['Repr-Digest'] = formatReprDigest(resource.sha256);
  return {
    url: new URL(photokitPath(resource.assetId, resource.resourceType), config.baseUrl).href,
    method: config.method ?? 'POST',
    headers,
  };
}
