/** shared/storage: the one module every state file, cache file and path check goes through. */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  confine,
  createFileExclusive,
  ensureDirDurable,
  errnoCode,
  isInside,
  nodeDurableFs,
  PathOutsideError,
  readTextIfExists,
  realPathOf,
  writeFileAtomic,
  type DurableFs,
} from '../../../shared/storage/index.nodejs';

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'shoebox-storage-'));
  made.push(dir);
  return dir;
}

const posix = process.platform !== 'win32';

/** nodeDurableFs that records file fsyncs and directory fsyncs, and can fail the file fsync. */
function recordingFs(failSync: Error | null = null): DurableFs & { events: string[] } {
  const events: string[] = [];
  return {
    ...nodeDurableFs,
    events,
    async open(file, flags, mode) {
      const handle = await nodeDurableFs.open(file, flags, mode);
      return {
        ...handle,
        sync: async () => {
          if (failSync) throw failSync;
          events.push(`sync ${path.basename(file)}`);
          await handle.sync();
        },
      };
    },
    rename: async (from, to) => {
      events.push(`rename ${path.basename(to)}`);
      await nodeDurableFs.rename(from, to);
    },
    fsyncDir: async (dir) => {
      events.push(`fsyncDir ${path.basename(dir)}`);
      await nodeDurableFs.fsyncDir(dir);
    },
  };
}

describe('writeFileAtomic', () => {
  it("'durable' writes a temp file, fsyncs it, renames it over the file, then fsyncs the directory", async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'state.json');
    await fsp.writeFile(file, 'old');
    const fs = recordingFs();
    await writeFileAtomic(file, 'new', { durability: 'durable', fs });
    expect(await fsp.readFile(file, 'utf8')).toBe('new');
    expect(fs.events).toEqual([
      expect.stringMatching(/^sync state\.json\.\d+-[0-9a-f]{12}\.tmp$/),
      'rename state.json',
      `fsyncDir ${path.basename(dir)}`,
    ]);
    expect(await fsp.readdir(dir)).toEqual(['state.json']);
  });

  it("'atomic' renames without any fsync", async () => {
    const dir = await tempDir();
    const fs = recordingFs();
    await writeFileAtomic(path.join(dir, 'cache.webp'), new Uint8Array([1, 2, 3]), { durability: 'atomic', fs });
    expect(fs.events).toEqual(['rename cache.webp']);
    expect([...(await fsp.readFile(path.join(dir, 'cache.webp')))]).toEqual([1, 2, 3]);
  });

  it('leaves the old content (and no temp file) when the write fails before the rename', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'devices.json');
    await fsp.writeFile(file, 'old content');
    const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    await expect(writeFileAtomic(file, 'new content', { durability: 'durable', fs: recordingFs(eio) })).rejects.toBe(
      eio,
    );
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('half of the ');
      throw new Error('source gone');
    }
    await expect(writeFileAtomic(file, failing(), { durability: 'atomic' })).rejects.toThrow('source gone');
    expect(await fsp.readFile(file, 'utf8')).toBe('old content');
    expect(await fsp.readdir(dir)).toEqual(['devices.json']);
  });

  it('streams an async iterable chunk by chunk', async () => {
    const dir = await tempDir();
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (const part of ['{"a":', '[1,2', ',3]}']) yield Buffer.from(part);
    }
    await writeFileAtomic(path.join(dir, 'library.json'), parts(), { durability: 'durable' });
    expect(JSON.parse(await fsp.readFile(path.join(dir, 'library.json'), 'utf8'))).toEqual({ a: [1, 2, 3] });
  });

  it.skipIf(!posix)(
    'gives the file exactly its mode whatever the umask: 0600 by default, 0644 when asked',
    async () => {
      const dir = await tempDir();
      const before = process.umask(0o077);
      try {
        await writeFileAtomic(path.join(dir, 'key.pem'), 'secret', { durability: 'durable' });
        await writeFileAtomic(path.join(dir, 'cert.pem'), 'public', { durability: 'durable', mode: 0o644 });
        await fsp.writeFile(path.join(dir, 'wide.json'), 'x', { mode: 0o666 });
        await writeFileAtomic(path.join(dir, 'wide.json'), 'narrowed', { durability: 'atomic' });
      } finally {
        process.umask(before);
      }
      const mode = async (name: string) => (await fsp.stat(path.join(dir, name))).mode & 0o777;
      expect(await mode('key.pem')).toBe(0o600);
      expect(await mode('cert.pem')).toBe(0o644);
      expect(await mode('wide.json')).toBe(0o600);
    },
  );

  it('gives every writer its own temp file, so concurrent writes of one file never mix', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'pairings.json');
    const texts = Array.from({ length: 8 }, (_, i) => `${String(i).repeat(10_000)}\n`);
    await Promise.all(texts.map((text) => writeFileAtomic(file, text, { durability: 'atomic' })));
    expect(texts).toContain(await fsp.readFile(file, 'utf8'));
    expect(await fsp.readdir(dir)).toEqual(['pairings.json']);
  });

  it('truncates a fixed temp file left over by a crash', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'journal.jsonl');
    await fsp.writeFile(`${file}.tmp`, 'a much longer leftover from before the crash');
    await writeFileAtomic(file, 'short', { durability: 'durable', tempPath: `${file}.tmp` });
    expect(await fsp.readFile(file, 'utf8')).toBe('short');
    expect(await fsp.readdir(dir)).toEqual(['journal.jsonl']);
  });

  it('runs onRenamed once the new file is in place, even when the directory fsync then fails', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const eio = Object.assign(new Error('EIO'), { code: 'EIO' });
    let renamedSaw: string | null = null;
    const fs: DurableFs = { ...nodeDurableFs, fsyncDir: () => Promise.reject(eio) };
    const onRenamed = async () => {
      renamedSaw = await fsp.readFile(file, 'utf8');
    };
    await expect(writeFileAtomic(file, 'compacted', { durability: 'durable', fs, onRenamed })).rejects.toBe(eio);
    expect(renamedSaw).toBe('compacted');
  });
});

describe('createFileExclusive', () => {
  it('creates a file once and refuses an existing one (EEXIST), leaving it as it was', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'receiver.lock');
    await createFileExclusive(file, 'first', { durability: 'durable' });
    const second = await createFileExclusive(file, 'second', { durability: 'unsynced' }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(errnoCode(second)).toBe('EEXIST');
    expect(await fsp.readFile(file, 'utf8')).toBe('first');
    if (posix) expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('of many creators at once exactly one wins', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'receiver.lock');
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        createFileExclusive(file, `holder ${i}`, { durability: 'unsynced', mode: 0o644 }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => errnoCode(r.reason))).toEqual(
      Array(5).fill('EEXIST'),
    );
  });
});

describe('small helpers', () => {
  it('readTextIfExists: undefined for a missing file, other failures thrown', async () => {
    const dir = await tempDir();
    expect(await readTextIfExists(path.join(dir, 'nothing'))).toBeUndefined();
    await fsp.writeFile(path.join(dir, 'there'), 'text');
    expect(await readTextIfExists(path.join(dir, 'there'))).toBe('text');
    await expect(readTextIfExists(dir)).rejects.toThrow(/EISDIR/);
  });

  it('errnoCode reads the code of anything that has one', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoCode(new Error('no code'))).toBeUndefined();
    expect(errnoCode(undefined)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
  });

  it('ensureDirDurable makes the missing directories below root and returns the deepest', async () => {
    const root = await tempDir();
    await fsp.mkdir(path.join(root, '2020'));
    expect(await ensureDirDurable(root, '2020/2020-01')).toBe(path.join(root, '2020', '2020-01'));
    expect((await fsp.stat(path.join(root, '2020', '2020-01'))).isDirectory()).toBe(true);
  });
});

describe('confinement', () => {
  it('confine resolves paths inside the root and refuses .. and absolute paths', () => {
    expect(confine('/r', 'a/b')).toBe(path.resolve('/r/a/b'));
    expect(confine('/r', 'a/../b')).toBe(path.resolve('/r/b'));
    expect(confine('/r', '..name.jpg')).toBe(path.resolve('/r/..name.jpg')); // a name, not a way up
    expect(() => confine('/r', '../x')).toThrow(PathOutsideError);
    expect(() => confine('/r', 'a/../../x')).toThrow(PathOutsideError);
    expect(() => confine('/r', '/etc/passwd')).toThrow(PathOutsideError);
    expect(() => confine('/r', '../r-sibling/x')).toThrow(PathOutsideError);
    const refused = new Error('BAD_FILENAME');
    expect(() => confine('/r', '..', () => refused)).toThrow(refused);
  });

  it('isInside compares as written: the parent itself counts, a sibling with the same prefix does not', () => {
    expect(isInside('/r', '/r')).toBe(true);
    expect(isInside('/r', '/r/a/b')).toBe(true);
    expect(isInside('/r', '/rx')).toBe(false);
    expect(isInside('/r/a', '/r')).toBe(false);
  });

  it.skipIf(!posix)(
    'realPathOf follows symbolic links, so a link that leads out of the folder is seen as outside',
    async () => {
      const root = await tempDir();
      const outside = await tempDir();
      await fsp.mkdir(path.join(root, 'library'));
      await fsp.symlink(outside, path.join(root, 'library', 'escape'));
      const link = path.join(root, 'library', 'escape', 'not-yet', 'photo.jpg');
      const realRoot = await realPathOf(path.join(root, 'library'));
      expect(isInside(path.join(root, 'library'), link)).toBe(true); // as written it looks inside
      expect(isInside(realRoot, await realPathOf(link))).toBe(false);
      expect(await realPathOf(link)).toBe(path.join(await fsp.realpath(outside), 'not-yet', 'photo.jpg'));
    },
  );
});
