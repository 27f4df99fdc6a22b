/** A lowdb adapter that validates on read and writes atomically, durably and privately (0600). */
import fs from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import type { z } from 'zod';
import { errnoCode, writeFileAtomic } from '../../../shared/storage/index.nodejs';

export class DurableJSONFile<T> implements Adapter<T> {
  constructor(
    readonly file: string,
    private readonly schema: z.ZodType<T>,
    private readonly onDamaged: (message: string) => void = () => undefined,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    }
    try {
      return this.schema.parse(JSON.parse(text));
    } catch (error) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      await fs.rename(this.file, aside);
      this.onDamaged(
        `${this.file} was damaged (${(error as Error).message.slice(0, 200)}); kept it as ${aside} and started afresh.`,
      );
      return null;
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, 1), { durability: 'durable', mode: 0o600 });
  }
}
