/**
 * Simulation state in one JSON file (Node only): the system's job store and the extension's container
 * as two sections, so a later run (or a restarted extension) picks up where the last one stopped.
 * Written atomically (shared/storage: temporary file, then rename, not fsynced), mode 0600: the
 * destinations carry the device token.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, writeFileAtomic } from '../../storage/index.nodejs';
import type { KeyValueStorage } from './key-value-storage';

type Sections = Record<string, unknown>;

export class JsonStateFile {
  readonly file: string;
  #sections: Promise<Sections> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  /** A storage for one section of the file. */
  section<T>(name: string): KeyValueStorage<T> {
    return {
      load: async () => (await this.#load())[name] as T | undefined,
      save: async (value: T) => {
        const sections = await this.#load();
        sections[name] = structuredClone(value);
        await this.#write(sections);
      },
    };
  }

  #load(): Promise<Sections> {
    this.#sections ??= readFile(this.file, 'utf8').then(
      (text) => {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error(`${this.file} is not a simulator state file`);
        return parsed as Sections;
      },
      (error: unknown) => {
        if (errnoCode(error) === 'ENOENT') return {};
        throw error;
      },
    );
    return this.#sections;
  }

  #write(sections: Sections): Promise<void> {
    const text = `${JSON.stringify(sections, null, 2)}\n`;
    const next = this.#writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, text, { durability: 'atomic', mode: 0o600 });
    });
    this.#writing = next.catch(() => undefined);
    return next;
  }
}
