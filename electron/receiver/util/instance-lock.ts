/**
 * One receiver per backup folder (and per data folder): two receivers appending to one library journal,
 * or both handing out "stored" for the same name, would break the storage promises. The lock is a small
 * file created with O_EXCL that names its holder (pid, host, start time, a random token). A lock is stale,
 * and taken over, when its holder is a process on this computer that no longer runs, or, for a holder on
 * another computer sharing the folder, when its heartbeat (the file's mtime, touched every 30 s) is older
 * than two minutes. The heartbeat checks the lock is still its own and says so loudly when it is not.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileExclusive, errnoCode } from '../../../shared/storage/index.nodejs';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** What holds it, for the message another instance prints ("Shoebox receiver on port 8765"). */
  purpose: string;
  token: string;
  /** When the holder's computer started (ms since the epoch): a lock from before a restart is stale. */
  bootedAt?: number;
}

export class InstanceLockedError extends Error {
  override readonly name = 'InstanceLockedError';
  constructor(
    message: string,
    readonly holder: LockHolder | null,
  ) {
    super(message);
  }
}

export interface InstanceLockOptions {
  /** Shown to a second instance that finds the lock held. */
  purpose: string;
  /** What the lock guards, for messages ("the backup folder /x"). */
  guards: string;
  heartbeatMs?: number;
  staleAfterMs?: number;
  /** A lock file that cannot be read yet is another instance writing it, unless older than this. */
  unreadableGraceMs?: number;
  /** Injected for tests. */
  isAlive?: (pid: number) => boolean;
  host?: string;
  pid?: number;
  /** When this computer started (default: now minus os.uptime()). */
  bootedAt?: number;
  log?: (message: string) => void;
}

/** Lock files this process holds, so a lock naming our own pid that we do not hold is a predecessor's. */
const heldHere = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        token: value.token,
        startedAt: String(value.startedAt ?? ''),
        purpose: String(value.purpose ?? 'Shoebox'),
        ...(typeof value.bootedAt === 'number' ? { bootedAt: value.bootedAt } : {}),
      };
    }
  } catch {
    // fall through
  }
  return null;
}

export class InstanceLock {
  private timer: NodeJS.Timeout | null = null;
  private released = false;
  /** Set once the heartbeat found the lock taken by someone else. */
  lost = false;

  private constructor(
    readonly file: string,
    readonly holder: LockHolder,
    private readonly log: (message: string) => void,
  ) {}

  /** Takes the lock or throws InstanceLockedError saying who holds it and what to do. */
  static async acquire(file: string, options: InstanceLockOptions): Promise<InstanceLock> {
    const file_ = path.resolve(file);
    const host = options.host ?? os.hostname();
    const pid = options.pid ?? process.pid;
    const isAlive = options.isAlive ?? processIsAlive;
    const staleAfterMs = options.staleAfterMs ?? 120_000;
    const log = options.log ?? (() => undefined);
    const bootedAt = options.bootedAt ?? Math.round(Date.now() - os.uptime() * 1000);
    const holder: LockHolder = {
      pid,
      host,
      startedAt: new Date().toISOString(),
      purpose: options.purpose,
      token: randomBytes(16).toString('hex'),
      bootedAt,
    };
    await fs.mkdir(path.dirname(file_), { recursive: true });

    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await createFileExclusive(file_, `${JSON.stringify(holder)}\n`, { durability: 'unsynced', mode: 0o644 });
        const lock = new InstanceLock(file_, holder, log);
        heldHere.add(file_);
        lock.startHeartbeat(options.heartbeatMs ?? 30_000);
        return lock;
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error;
      }
      const seen = await readLock(file_);
      if (!seen) continue; // removed meanwhile: try again
      const age = Date.now() - seen.mtimeMs;
      const other = seen.holder;
      let stale: string | null = null;
      if (!other) {
        if (age > (options.unreadableGraceMs ?? 5_000)) stale = 'it could not be read';
      } else if (other.host === host) {
        // On this computer the process table is the truth: a holder that is asleep (laptop lid, Ctrl+Z)
        // has an old heartbeat but still owns the folder.
        if (other.bootedAt !== undefined && Math.abs(other.bootedAt - bootedAt) > 60_000) {
          stale = 'the computer restarted since it was taken'; // its process id may belong to anything now
        } else if (other.pid === pid) {
          if (!heldHere.has(file_)) stale = 'it was left by an earlier run with our process id';
        } else if (!isAlive(other.pid)) {
          stale = `process ${other.pid} is not running any more`;
        }
      } else if (age > staleAfterMs) {
        stale = `its holder on ${other.host} has not touched it for ${Math.round(age / 1000)} s`;
      }
      if (!stale) throw lockedError(options.guards, other, host);
      // Remove it only if it is still the same stale file, so two instances taking over do not remove each other's.
      const again = await readLock(file_);
      if (again && again.text === seen.text) {
        await fs.rm(file_, { force: true });
        log(`Took over the lock on ${options.guards}: ${stale}.`);
      }
    }
    throw new InstanceLockedError(
      `Could not lock ${options.guards}: another Shoebox keeps taking the lock at ${file_}. ` +
        `Quit other Shoebox instances and try again.`,
      null,
    );
  }

  /** Lets the lock go (only if it is still ours). Calling it again is harmless. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    heldHere.delete(this.file);
    const seen = await readLock(this.file).catch(() => null);
    if (seen?.holder?.token === this.holder.token) await fs.rm(this.file, { force: true });
  }

  private startHeartbeat(everyMs: number): void {
    this.timer = setInterval(() => void this.beat(), everyMs);
    this.timer.unref();
  }

  /** Touches the lock, after checking it is still ours (another computer may have taken it over). */
  private async beat(): Promise<void> {
    const seen = await readLock(this.file).catch(() => null);
    if (seen?.holder?.token !== this.holder.token) {
      if (!this.lost)
        this.log(
          `The lock ${this.file} is no longer held by this Shoebox` +
            (seen?.holder ? ` (now ${seen.holder.purpose}, process ${seen.holder.pid} on ${seen.holder.host})` : '') +
            `: quit one of them before both write to the folder.`,
        );
      this.lost = true;
      return;
    }
    const now = new Date();
    await fs.utimes(this.file, now, now).catch((error: NodeJS.ErrnoException) => {
      this.log(
        `The lock file ${this.file} could not be touched (${error.code ?? error.message}); ` +
          `another Shoebox may take the folder over.`,
      );
    });
  }
}

async function readLock(file: string): Promise<{ text: string; holder: LockHolder | null; mtimeMs: number } | null> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, holder: parseHolder(text), mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

function lockedError(guards: string, other: LockHolder | null, ourHost: string): InstanceLockedError {
  if (!other)
    return new InstanceLockedError(
      `Another Shoebox is starting on ${guards} right now. Wait for it, or quit it, and try again.`,
      null,
    );
  const where = other.host === ourHost ? `process ${other.pid}` : `process ${other.pid} on ${other.host}`;
  const since = other.startedAt ? ` since ${other.startedAt}` : '';
  return new InstanceLockedError(
    `${guards[0]?.toUpperCase() ?? ''}${guards.slice(1)} is in use by ${other.purpose} (${where}${since}). ` +
      `Quit that one first, or choose another folder with --folder / --data-dir.`,
    other,
  );
}
