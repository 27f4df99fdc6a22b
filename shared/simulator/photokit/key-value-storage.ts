/**
 * Where the simulation keeps what must outlive an extension process: the system's job store and the
 * extension's own container (its app group). In memory by default; node/json-file-storage.ts keeps it
 * in a JSON file. Node and browser.
 */

export interface KeyValueStorage<T> {
  /** The saved value, or undefined when nothing was saved yet. */
  load(): Promise<T | undefined>;
  save(value: T): Promise<void>;
}

/** Keeps a structured copy in memory: a later load() never sees mutations of the saved object. */
export class MemoryStorage<T> implements KeyValueStorage<T> {
  #value: T | undefined;

  constructor(initial?: T) {
    this.#value = initial === undefined ? undefined : structuredClone(initial);
  }

  async load(): Promise<T | undefined> {
    return this.#value === undefined ? undefined : structuredClone(this.#value);
  }

  async save(value: T): Promise<void> {
    this.#value = structuredClone(value);
  }
}

/**
 * Saves the latest value in order, at most one write at a time, skipping values superseded while a
 * write was running. `flush()` resolves once the newest value is written.
 */
export class CoalescingWriter<T> {
  readonly #storage: KeyValueStorage<T>;
  #latest: { value: T } | undefined;
  #running: Promise<void> | undefined;
  #error: unknown;

  constructor(storage: KeyValueStorage<T>) {
    this.#storage = storage;
  }

  write(value: T): void {
    this.#latest = { value };
    this.#running ??= this.#drain();
  }

  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#error !== undefined) {
      const error: unknown = this.#error;
      this.#error = undefined;
      throw error;
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#latest) {
        const { value } = this.#latest;
        this.#latest = undefined;
        await this.#storage.save(value).catch((error: unknown) => (this.#error ??= error));
      }
    } finally {
      this.#running = undefined;
    }
  }
}
