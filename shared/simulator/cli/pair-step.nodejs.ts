/**
 * The CLI's pairing step: POST /v1/pair over the receiver link (pinned when there is a pin), print
 * the token, save what pairing gave so later runs need only --receiver NAME (or nothing).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { pair, PairingError } from '../pair';
import type { PairingStore } from '../pairing-store.nodejs';
import type { ReceiverLink } from '../receiver-link.nodejs';
import type { CliIo } from './io';
import { isPinMismatch } from './cli-failure.nodejs';

export interface PairStepOptions {
  code: string;
  deviceName: string;
  deviceId: string | undefined;
  /** Receiver id the pairing URL named, to compare with the answer. */
  expectedReceiverId: string | undefined;
  store: PairingStore;
  save: boolean;
}

/** A stable id for this computer's simulator, unless --device-id gives one. */
export function defaultDeviceId(): string {
  return `simulator-${createHash('sha256').update(hostname()).digest('hex').slice(0, 16)}`;
}

/** Hint for a plain-HTTP attempt that could not reach a receiver (which may well speak TLS). */
export const TLS_HINT =
  ' (if the receiver uses TLS, the default, pair with --pair-url from its QR code or give --fp PIN)';

/** Pairs; resolves to the token, or undefined after printing why pairing failed. A pin mismatch is thrown. */
export async function pairStep(link: ReceiverLink, options: PairStepOptions, io: CliIo): Promise<string | undefined> {
  const deviceId = options.deviceId ?? defaultDeviceId();
  let answer;
  try {
    answer = await pair({
      baseUrl: link.baseUrl,
      fetch: link.fetch,
      code: options.code,
      deviceName: options.deviceName,
      deviceId,
    });
  } catch (error) {
    if (isPinMismatch(error)) throw error;
    const message = error instanceof PairingError ? `${error.code}: ${error.message}` : String(error);
    const hint = !link.tls && error instanceof PairingError && error.code === 'NETWORK' ? TLS_HINT : '';
    io.stderr.write(`simulate: pairing failed: ${message}${hint}\n`);
    return undefined;
  }
  if (options.expectedReceiverId !== undefined && answer.receiverId !== options.expectedReceiverId) {
    io.stderr.write(
      `simulate: warning: the receiver's id is ${answer.receiverId}, ` +
        `the pairing URL said ${options.expectedReceiverId}\n`,
    );
  }
  io.stdout.write(`token: ${answer.token}\n`);
  let saved = '';
  if (options.save) {
    try {
      await options.store.save({
        receiverId: answer.receiverId,
        name: answer.receiverName,
        host: link.host,
        port: link.port,
        ...(link.pin ? { fp: link.pin } : {}),
        token: answer.token,
        deviceId: answer.deviceId,
        pairedAt: new Date().toISOString(),
      });
      saved = `; saved in ${options.store.file}`;
    } catch (error) {
      io.stderr.write(`simulate: warning: ${(error as Error).message}\n`);
    }
  }
  const next =
    `${saved ? `--receiver "${answer.receiverName}" or ` : ''}--token=${answer.token}` +
    `${link.pin ? ` --fp=${link.pin}` : ''}`;
  io.stderr.write(
    `paired with "${answer.receiverName}" as ${answer.deviceId}${link.tls ? ' over TLS (pinned)' : ''}${saved}; ` +
      `next time use ${next}\n`,
  );
  return answer.token;
}
