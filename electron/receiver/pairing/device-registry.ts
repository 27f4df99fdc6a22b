/**
 * Paired devices and this receiver's identity, in `<dataDir>/receiver.json` (lowdb, 0600).
 * Tokens are never stored, only their SHA-256; a revoked device keeps its record so it is told
 * "revoked" rather than "unknown".
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { ShoeboxError, tokenSchema } from '../../../shared/protocol';
import { CONTROL_CHARACTERS } from '../../../shared/text';
import { DurableJSONFile } from '../util/durable-json-file';
import { digestsEqual, hashSecret, newDeviceToken, newId } from './secrets';

const deviceRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  pairedAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const registrySchema = z.object({
  version: z.literal(1),
  receiverId: z.string().min(8),
  name: z.string().min(1),
  devices: z.array(deviceRecordSchema),
});
type DeviceRecord = z.infer<typeof deviceRecordSchema>;
type RegistryData = z.infer<typeof registrySchema>;

export type DeviceSummary = Omit<DeviceRecord, 'tokenHash'>;

export interface DeviceRegistryEvents {
  paired: [device: DeviceSummary];
  revoked: [device: DeviceSummary];
}

function summary({ tokenHash: _hidden, ...rest }: DeviceRecord): DeviceSummary {
  return { ...rest };
}

export function defaultReceiverName(): string {
  return cleanReceiverName(os.hostname().replace(/\.local$/i, '')) ?? 'Shoebox';
}

/**
 * A receiver name fit for Bonjour, certificates and pairing URLs: control characters become spaces,
 * runs of white space one space, at most 63 characters; null when nothing is left.
 */
export function cleanReceiverName(name: string): string | null {
  const clean = name
    .replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 63)
    .trim();
  return clean.length > 0 ? clean : null;
}

export class DeviceRegistry extends EventEmitter<DeviceRegistryEvents> {
  private touchTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly db: Low<RegistryData>) {
    super();
  }

  static async open(
    dataDir: string,
    options: { name?: string; log?: (message: string) => void } = {},
  ): Promise<DeviceRegistry> {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const adapter = new DurableJSONFile(path.join(dataDir, 'receiver.json'), registrySchema, options.log);
    const wanted = options.name === undefined ? null : cleanReceiverName(options.name);
    const db = new Low<RegistryData>(adapter, {
      version: 1,
      receiverId: newId(16),
      name: wanted ?? defaultReceiverName(),
      devices: [],
    });
    await db.read();
    // A name saved by an older version may not be fit any more; a name given at start wins.
    db.data.name = wanted ?? cleanReceiverName(db.data.name) ?? defaultReceiverName();
    await db.write();
    return new DeviceRegistry(db);
  }

  get receiverId(): string {
    return this.db.data.receiverId;
  }

  get name(): string {
    return this.db.data.name;
  }

  async setName(name: string): Promise<void> {
    this.db.data.name = cleanReceiverName(name) ?? defaultReceiverName();
    await this.db.write();
  }

  list(): DeviceSummary[] {
    return this.db.data.devices.map(summary);
  }

  get(deviceId: string): DeviceSummary | undefined {
    const record = this.db.data.devices.find((d) => d.id === deviceId);
    return record && summary(record);
  }

  /** Pairs (or re-pairs) a device; the new token is durable before it is returned. */
  async pair(deviceId: string, deviceName: string): Promise<{ device: DeviceSummary; token: string }> {
    const token = newDeviceToken();
    const now = new Date().toISOString();
    const record: DeviceRecord = {
      id: deviceId,
      name: deviceName,
      tokenHash: hashSecret(token),
      pairedAt: now,
      lastSeenAt: now,
      revokedAt: null,
    };
    this.db.data.devices = [...this.db.data.devices.filter((d) => d.id !== deviceId), record];
    await this.db.write();
    this.emit('paired', summary(record));
    return { device: summary(record), token };
  }

  /** The device a token belongs to; AUTH_FAILED for an unknown token, DEVICE_REVOKED for a revoked one. */
  authenticate(token: string): DeviceSummary {
    if (!tokenSchema.safeParse(token).success)
      throw new ShoeboxError('AUTH_FAILED', 'The device token is missing or malformed: pair this device again.');
    const hash = hashSecret(token);
    let match: DeviceRecord | undefined;
    for (const device of this.db.data.devices) {
      if (digestsEqual(hash, device.tokenHash)) match = device; // no early exit: same work for every token
    }
    if (!match)
      throw new ShoeboxError('AUTH_FAILED', 'This device token is not known to this computer: pair this device again.');
    if (match.revokedAt)
      throw new ShoeboxError(
        'DEVICE_REVOKED',
        `"${match.name}" was removed from this computer's paired devices: pair it again to back up here.`,
      );
    return summary(match);
  }

  /** Records that a device was seen; written lazily (a few seconds later, in one write). */
  touch(deviceId: string): void {
    const record = this.db.data.devices.find((d) => d.id === deviceId);
    if (!record) return;
    record.lastSeenAt = new Date().toISOString();
    this.touchTimer ??= setTimeout(() => {
      this.touchTimer = undefined;
      this.db.write().catch(() => undefined);
    }, 5_000);
    this.touchTimer.unref();
  }

  /** Revokes a device at once: its connections are closed by whoever listens to 'revoked'. */
  async revoke(deviceId: string): Promise<boolean> {
    const record = this.db.data.devices.find((d) => d.id === deviceId);
    if (!record || record.revokedAt) return false;
    record.revokedAt = new Date().toISOString();
    await this.db.write();
    this.emit('revoked', summary(record));
    return true;
  }

  async close(): Promise<void> {
    if (this.touchTimer) {
      clearTimeout(this.touchTimer);
      this.touchTimer = undefined;
      await this.db.write();
    }
    this.removeAllListeners();
  }
}
