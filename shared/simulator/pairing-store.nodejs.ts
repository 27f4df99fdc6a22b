/**
 * The simulator's saved pairings (Node only): what pairing gave (receiver id and name, address, TLS
 * pin, device token), so later runs need only `--receiver NAME`, or nothing when there is one.
 * One JSON file, mode 0600 (it holds device tokens), replaced atomically (shared/storage, not fsynced:
 * a pairing lost to a crash is made again).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { RECEIVER_ID_PATTERN, SPKI_PIN_PATTERN } from '../discovery/constants';
import { tokenSchema } from '../protocol/ws-messages';
import { errnoCode, writeFileAtomic } from '../storage/index.nodejs';

export const STATE_ENV = 'SHOEBOX_SIM_STATE';

const savedPairingSchema = z.strictObject({
  receiverId: z.string().regex(RECEIVER_ID_PATTERN),
  name: z.string().min(1).max(200),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** SPKI pin from pairing; absent for a receiver without TLS (--no-tls). */
  fp: z.string().regex(SPKI_PIN_PATTERN).optional(),
  token: tokenSchema,
  deviceId: z.string().min(1).max(100),
  pairedAt: z.string(),
});
export type SavedPairing = z.infer<typeof savedPairingSchema>;

const stateSchema = z.strictObject({ version: z.literal(1), pairings: z.array(savedPairingSchema) });

/** $SHOEBOX_SIM_STATE, else $XDG_CONFIG_HOME/shoebox-simulator/pairings.json (~/.config by default). */
export function defaultStatePath(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (env[STATE_ENV]) return path.resolve(env[STATE_ENV]);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'shoebox-simulator', 'pairings.json');
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

export class PairingStore {
  constructor(readonly file: string) {}

  /** Every saved pairing; none when the file does not exist yet. */
  async list(): Promise<SavedPairing[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw new StateFileError(`cannot read the saved pairings in ${this.file}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new StateFileError(`${this.file} is not JSON: fix or delete it (pair again afterwards)`);
    }
    const result = stateSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new StateFileError(
        `${this.file} is not a simulator pairings file` +
          `${issue ? ` (${issue.path.join('.')}: ${issue.message})` : ''}: fix or delete it`,
      );
    }
    return result.data.pairings;
  }

  /** Pairings whose receiver name (case-insensitive) or receiver id is `nameOrId`. */
  async find(nameOrId: string): Promise<SavedPairing[]> {
    const wanted = nameOrId.toLowerCase();
    return (await this.list()).filter((p) => p.receiverId === nameOrId || p.name.toLowerCase() === wanted);
  }

  async findByAddress(host: string, port: number): Promise<SavedPairing | undefined> {
    return (await this.list()).find((p) => p.host === host && p.port === port);
  }

  /** Adds a pairing, replacing an earlier one with the same receiver. */
  async save(pairing: SavedPairing): Promise<void> {
    const checked = savedPairingSchema.parse(pairing);
    const others = (await this.list()).filter((p) => p.receiverId !== checked.receiverId);
    await this.write({ version: 1, pairings: [...others, checked] });
  }

  private async write(state: z.infer<typeof stateSchema>): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, { durability: 'atomic', mode: 0o600 });
    } catch (error) {
      throw new StateFileError(`cannot save the pairing in ${this.file}: ${(error as Error).message}`);
    }
  }
}
