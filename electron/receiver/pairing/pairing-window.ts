/**
 * The pairing code: six digits, valid for 10 minutes, good for one pairing. Wrong guesses are limited
 * per client address (with a growing lock-out) and in total per code (the code is withdrawn after too
 * many, so 1-in-a-million can't be brute-forced across addresses).
 */
import { EventEmitter } from 'node:events';
import { ShoeboxError } from '../../../shared/protocol';
import { newPairingCode, secretsEqual } from './secrets';

export interface PairingWindowOptions {
  lifetimeMs?: number;
  maxFailuresPerClient?: number;
  maxFailuresPerCode?: number;
  lockoutMs?: number;
  now?: () => number;
}

interface ClientFailures {
  count: number;
  lockedUntil: number;
  strikes: number;
}

export interface PairingWindowEvents {
  opened: [code: string, expiresAt: Date];
  closed: [reason: 'paired' | 'expired' | 'withdrawn' | 'closed'];
}

export class PairingWindow extends EventEmitter<PairingWindowEvents> {
  private code: string | null = null;
  private expiresAt = 0;
  private failuresOnCode = 0;
  private readonly clients = new Map<string, ClientFailures>();
  private readonly lifetimeMs: number;
  private readonly maxPerClient: number;
  private readonly maxPerCode: number;
  private readonly lockoutMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: PairingWindowOptions = {}) {
    super();
    this.lifetimeMs = options.lifetimeMs ?? 10 * 60_000;
    this.maxPerClient = options.maxFailuresPerClient ?? 5;
    this.maxPerCode = options.maxFailuresPerCode ?? 20;
    this.lockoutMs = options.lockoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Opens pairing with a fresh code (replacing any open one). */
  open(): { code: string; expiresAt: Date } {
    this.code = newPairingCode();
    this.expiresAt = this.now() + this.lifetimeMs;
    this.failuresOnCode = 0;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.close('expired'), this.lifetimeMs);
    this.timer.unref();
    const expiresAt = new Date(this.expiresAt);
    this.emit('opened', this.code, expiresAt);
    return { code: this.code, expiresAt };
  }

  close(reason: 'paired' | 'expired' | 'withdrawn' | 'closed' = 'closed'): void {
    const wasOpen = this.code !== null;
    this.code = null;
    clearTimeout(this.timer);
    if (wasOpen) this.emit('closed', reason);
  }

  get isOpen(): boolean {
    return this.code !== null && this.now() < this.expiresAt;
  }

  get current(): { code: string; expiresAt: Date } | null {
    return this.isOpen && this.code ? { code: this.code, expiresAt: new Date(this.expiresAt) } : null;
  }

  /** Checks a code from `client` (its address) and consumes it on success; throws a ShoeboxError otherwise. */
  redeem(candidate: string, client: string): void {
    const now = this.now();
    const record = this.clients.get(client) ?? { count: 0, lockedUntil: 0, strikes: 0 };
    if (record.lockedUntil > now) {
      const seconds = Math.ceil((record.lockedUntil - now) / 1000);
      throw new ShoeboxError(
        'PAIRING_RATE_LIMITED',
        `Too many wrong pairing codes from this device: try again in ${seconds} s.`,
      );
    }
    if (!this.isOpen || this.code === null) {
      throw new ShoeboxError(
        'PAIRING_CODE_INVALID',
        'Pairing is not open on the computer: open "Pair an iPhone" (or type "pair" in the terminal) for a new code.',
      );
    }
    if (secretsEqual(candidate, this.code)) {
      this.clients.delete(client);
      this.close('paired');
      return;
    }
    record.count += 1;
    this.failuresOnCode += 1;
    if (record.count >= this.maxPerClient) {
      record.strikes += 1;
      record.count = 0;
      record.lockedUntil = now + this.lockoutMs * 2 ** (record.strikes - 1);
    }
    this.clients.set(client, record);
    if (this.failuresOnCode >= this.maxPerCode) {
      this.close('withdrawn');
      throw new ShoeboxError(
        'PAIRING_CODE_INVALID',
        'Wrong pairing code. Too many wrong codes were tried, ' +
          'so this code was withdrawn: open pairing again for a new one.',
      );
    }
    throw new ShoeboxError(
      'PAIRING_CODE_INVALID',
      'Wrong or expired pairing code: check the six digits shown on the computer.',
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.removeAllListeners();
  }
}
