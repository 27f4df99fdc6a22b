/** Failures the simulator CLI reports in one line, with their exit status, and the pin-mismatch wording. */
import { PinMismatchError } from '../../discovery/tls-pin.nodejs';
import { PairingError } from '../pair';
import { StateFileError } from '../pairing-store.nodejs';
import { UntrustedCaError } from '../pinned-http.nodejs';
import { UsageError } from './usage-error';

/** A failure with a ready message: exit 1 (or 2 for a choice the user must make on the command line). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** `"Name" at host:port`, or `host:port`. */
export function describeReceiver(target: { name?: string | undefined; host: string; port: number }): string {
  const address = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return target.name ? `"${target.name}" at ${address}` : address;
}

/** The refusal every pin check ends in; `detail` says which pins differed. */
export function pinMismatchMessage(who: string, detail?: string): string {
  return (
    `${who} is not the computer you paired with (certificate pin mismatch): ` +
    `pair again with its QR code (--pair-url). Nothing was sent to it.${detail ? ` ${detail}` : ''}`
  );
}

export function isPinMismatch(error: unknown): boolean {
  return error instanceof PinMismatchError || (error instanceof PairingError && error.code === 'PIN_MISMATCH');
}

/** One line for stderr and the exit status, for anything the CLI's steps may throw. */
export function describeFailure(error: unknown, who: string): { message: string; exitCode: number } {
  if (error instanceof CliFailure) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof UsageError) return { message: error.message, exitCode: 2 };
  const mismatch = error instanceof PairingError && error.code === 'PIN_MISMATCH' ? error.cause : error;
  if (mismatch instanceof PinMismatchError) {
    return {
      message: pinMismatchMessage(
        who,
        `Pin from pairing ${mismatch.expected}, it presented ${mismatch.actual ?? 'no certificate'}.`,
      ),
      exitCode: 1,
    };
  }
  if (error instanceof PairingError && error.code === 'PIN_MISMATCH')
    return { message: pinMismatchMessage(who, error.message), exitCode: 1 };
  if (error instanceof UntrustedCaError) return { message: `cannot trust ${who}: ${error.message}`, exitCode: 1 };
  if (error instanceof StateFileError) return { message: error.message, exitCode: 1 };
  if (error instanceof PairingError) return { message: `${who}: ${error.code}: ${error.message}`, exitCode: 1 };
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1 };
}
