/** What the simulated phone panel shows and drives, whichever upload model runs underneath. */

/** `library`: in the photo library, no upload job yet (PhotoKit model); the rest are job states. */
export type JobState = 'library' | 'registered' | 'pending' | 'uploading' | 'succeeded' | 'failed';
export type NetworkQuality = 'fast' | 'wifi' | 'weak' | 'offline';
export type ExtensionState = 'idle' | 'running' | 'terminated' | 'no-network' | 'revoked' | 'error';
export type PhoneModel = 'photokit' | 'stream';

export interface SimJob {
  id: number;
  file: File;
  filename: string;
  size: number;
  assetId: string;
  state: JobState;
  /** Bytes the receiver confirmed; null when the model does not report progress (a plain HTTP body). */
  acked: number | null;
  /** Times the upload was cut (termination, lost connection) and resumed. */
  resumes: number;
  retried: boolean;
  duplicate: boolean;
  error: string | null;
}

export interface Phone {
  readonly model: PhoneModel;
  readonly jobs: SimJob[];
  readonly locked: boolean;
  readonly network: NetworkQuality;
  readonly terminations: boolean;
  readonly extension: ExtensionState;
  readonly message: string | null;
  readonly terminationsSoFar: number;
  readonly running: boolean;
  readonly deviceId: string;
  addFiles(files: File[]): Promise<void>;
  setLocked(on: boolean): void;
  setNetwork(quality: NetworkQuality): void;
  setTerminations(on: boolean): void;
  clearFinished(): void;
  pairAgain(): Promise<void>;
}

export const NETWORK: Record<NetworkQuality, { label: string; bytesPerSecond: number | undefined }> = {
  fast: { label: 'Wi-Fi, fast', bytesPerSecond: undefined },
  wifi: { label: 'Wi-Fi, 4 MB/s', bytesPerSecond: 4_000_000 },
  weak: { label: 'Weak signal, 250 kB/s', bytesPerSecond: 250_000 },
  offline: { label: 'No network', bytesPerSecond: 0 },
};

export const MODELS: Record<PhoneModel, string> = {
  photokit: 'PhotoKit upload jobs (HTTP)',
  stream: 'Chunk stream (WebSocket)',
};

/** The asset id a photo keeps: derived from its bytes, so the same photo dropped again is the same asset. */
export function assetIdFor(sha256: string): string {
  return `SIM-${sha256.slice(0, 8)}-${sha256.slice(8, 12)}-${sha256.slice(12, 16)}/L0/001`;
}

export function isFinal(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed';
}
