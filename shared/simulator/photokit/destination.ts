/**
 * The destination URLRequest a Shoebox-aware extension builds for one asset resource: the raw bytes go
 * as the body; token, filename, type, date and digest travel in the URL and headers (docs/PROTOCOL.md,
 * "PhotoKit HTTP uploads"). docs/IOS-EXTENSION.md has the same in Swift. Node and browser.
 */
import { RESOURCE_TYPES, type ResourceType } from '../../protocol/constants';
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

/** /v1/photokit/{percent-encoded asset id}/{resource type} */
export function photokitPath(assetId: string, resourceType: ResourceType): string {
  return `/v1/photokit/${encodeURIComponent(assetId)}/${resourceType}`;
}

/** The asset resource a destination URL names (/v1/photokit/{asset id}/{type}); undefined for any other URL. */
export function resourceOfUrl(url: string): { assetId: string; resourceType: ResourceType } | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /^\/v1\/photokit\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  const resourceType = match[2] as ResourceType;
  if (!(RESOURCE_TYPES as readonly string[]).includes(resourceType)) return undefined;
  try {
    return { assetId: decodeURIComponent(match[1]!), resourceType };
  } catch {
    return undefined;
  }
}

/** RFC 9530 Repr-Digest for a hex SHA-256: `sha-256=:<base64>:`. */
export function reprDigest(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/i.test(sha256Hex)) throw new RangeError('a SHA-256 is 64 hex digits');
  let binary = '';
  for (let i = 0; i < 64; i += 2) binary += String.fromCharCode(parseInt(sha256Hex.slice(i, i + 2), 16));
  return `sha-256=:${btoa(binary)}:`;
}

export function buildDestination(config: DestinationConfig, resource: ResourceDescription): DestinationRequest {
  const headers: Record<string, string> = {
    // Not Authorization: it is one of URLRequest's reserved headers, which the system may drop or overwrite.
    'Shoebox-Token': config.token,
    'Shoebox-Filename': encodeURIComponent(resource.filename),
    'Content-Type': resource.contentType ?? 'application/octet-stream',
  };
  if (resource.captureDate) headers['Shoebox-Creation-Date'] = resource.captureDate;
  if (resource.sha256) headers['Repr-Digest'] = reprDigest(resource.sha256);
  return {
    url: new URL(photokitPath(resource.assetId, resource.resourceType), config.baseUrl).href,
    method: config.method ?? 'POST',
    headers,
  };
}

/** Shoebox-Path as a plain relative path (its segments are percent-encoded); undefined stays undefined. */
export function decodeShoeboxPath(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return value.split('/').map(decodeURIComponent).join('/');
  } catch {
    return value;
  }
}
