/**
 * Which asset resource a job is for, without job.resource (deprecated in iOS 27): the destination URL
 * names it (/v1/photokit/{percent-encoded asset id}/{resource type}, destination.ts), and from iOS 26.4
 * the receiver's answer says it again (Shoebox-Asset-Id, Shoebox-Resource-Type). Node and browser.
 */
import { RESOURCE_TYPES, type ResourceType } from '../../protocol/constants';
import { resourceOfUrl } from './destination';
import type { UploadJob } from './job-types';
import type { ResourceRef } from './upload-ledger';
import { SHOEBOX_HEADER_KEY } from '../../protocol/photokit-wire';

function fromHeaders(headers: Readonly<Record<string, string>> | undefined): ResourceRef | undefined {
  const id = headers?.[SHOEBOX_HEADER_KEY.assetId];
  const type = headers?.[SHOEBOX_HEADER_KEY.resourceType];
  if (!id || !type || !(RESOURCE_TYPES as readonly string[]).includes(type)) return undefined;
  try {
    return { assetId: decodeURIComponent(id), resourceType: type as ResourceType };
  } catch {
    return { assetId: id, resourceType: type as ResourceType };
  }
}

/**
 * The resource a job uploads, from its destination URL or its response headers; undefined for a job Shoebox did not
 * create.
 */
export function identifyJob(job: Pick<UploadJob, 'destination' | 'responseHeaderFields'>): ResourceRef | undefined {
  return resourceOfUrl(job.destination.url) ?? fromHeaders(job.responseHeaderFields);
}

/** The filename the job's destination carries (Shoebox-Filename, percent-encoded). */
export function filenameOfJob(job: Pick<UploadJob, 'destination'>): string | undefined {
  const value = Object.entries(job.destination.headers).find(
    ([name]) => name.toLowerCase() === SHOEBOX_HEADER_KEY.filename,
  )?.[1];
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
