/**
 * The lowdb adapter for `library.json`. Unlike lowdb's JSONFile (steno renames a temp file it never
 * fsyncs, so a crash can leave an empty snapshot), this one fsyncs the temp file before the rename and
 * the directory after it, streams compact JSON, and validates with zod on read.
 */
import type { Adapter } from 'lowdb';
import { errnoCode, writeFileAtomic, type DurableFs } from '../../../shared/storage/index.nodejs';
import { firstIssue, snapshotSchema, type SnapshotData } from './schema';

/** The snapshot exists but cannot be used. `parsed` holds the JSON when it parsed, for salvage. */
export class SnapshotDamagedError extends Error {
  constructor(
    readonly reason: string,
    readonly parsed: unknown,
  ) {
    super(`library.json is damaged: ${reason}`);
    this.name = 'SnapshotDamagedError';
  }
}

export class SnapshotFile implements Adapter<SnapshotData> {
  /** Size in bytes of the snapshot last read or written (0 when none). */
  lastBytes = 0;

  constructor(
    private readonly fs: DurableFs,
    readonly file: string,
  ) {}

  /** The validated snapshot, null when there is none; throws SnapshotDamagedError when unusable. */
  async read(): Promise<SnapshotData | null> {
    let raw: Buffer;
    try {
      raw = await this.fs.readFile(this.file);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new SnapshotDamagedError(`not JSON (${(error as Error).message.slice(0, 120)})`, undefined);
    }
    const result = snapshotSchema.safeParse(parsed);
    if (!result.success) throw new SnapshotDamagedError(`fails validation at ${firstIssue(result.error)}`, parsed);
    this.lastBytes = raw.length;
    return result.data;
  }

  /**
   * Captures the data synchronously (a shallow copy of the record list: records are frozen), then streams
   * it to a temp file in chunks, yielding between them so a 100k-record snapshot neither stalls the
   * event loop nor needs the whole JSON text in memory; durably replaced (shared/storage: fsync,
   * rename over, fsync the directory).
   */
  write(data: SnapshotData): Promise<void> {
    const resources = data.resources.slice();
    const head = JSON.stringify({ format: data.format, version: data.version, seq: data.seq, savedAt: data.savedAt });
    let bytes = 0;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      const chunk = (text: string) => {
        const encoded = Buffer.from(text, 'utf8');
        bytes += encoded.length;
        return encoded;
      };
      yield chunk(`${head.slice(0, -1)},"resources":[`);
      for (let start = 0; start < resources.length; start += CHUNK_RECORDS) {
        const part = resources
          .slice(start, start + CHUNK_RECORDS)
          .map((r) => JSON.stringify(r))
          .join(',');
        yield chunk(start === 0 ? part : `,${part}`);
      }
      yield chunk(']}');
    }
    return writeFileAtomic(this.file, chunks(), {
      durability: 'durable',
      fs: this.fs,
      tempPath: `${this.file}.tmp`,
    }).then(() => {
      this.lastBytes = bytes;
    });
  }
}

const CHUNK_RECORDS = 2_000;
