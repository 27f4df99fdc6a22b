/** Moving a library: nothing lost when a step fails, times kept, the other-disk way copies durably first. */
import { existsSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyThenDelete, moveLibrary } from '../../../electron/app/library-move';
import { makeTempDir } from '../../helpers/receiver-fixture';

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});
async function tempRoot(base?: string): Promise<string> {
  const root = base ? await fs.mkdtemp(path.join(base, 'shoebox-move-')) : await makeTempDir('shoebox-move-');
  roots.push(root);
  return root;
}

const CAPTURED = new Date('2019-08-21T08:57:23Z');
async function makeLibrary(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {
    '2019/2019-08/IMG_0001.HEIC': 'photo one',
    '2019/2019-08/IMG_0001.MOV': 'its video',
    '2020/2020-01/IMG_0002.JPG': 'photo two',
    '.shoebox/index/journal.jsonl': '{"v":1}\n',
  };
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(folder, ...rel.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
    await fs.utimes(file, CAPTURED, CAPTURED);
  }
  return files;
}
async function contents(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(folder, file).split(path.sep).join('/')] = await fs.readFile(file, 'utf8');
  }
  return out;
}

describe('moving a library', () => {
  it('renames everything across on the same disk, capture times kept', async () => {
    const root = await tempRoot();
    const files = await makeLibrary(path.join(root, 'A'));
    expect(await moveLibrary(path.join(root, 'A'), path.join(root, 'B'))).toEqual({ leftBehind: [] });
    expect(await contents(path.join(root, 'B'))).toEqual(files);
    expect(await fs.readdir(path.join(root, 'A'))).toEqual([]);
    expect(statSync(path.join(root, 'B', '2019', '2019-08', 'IMG_0001.HEIC')).mtime.getTime()).toBe(CAPTURED.getTime());
  });

  it('puts back what it moved when a rename fails half-way', async () => {
    const root = await tempRoot();
    const files = await makeLibrary(path.join(root, 'A'));
    // "2020" cannot be renamed onto a full folder
    await fs.mkdir(path.join(root, 'B', '2020', 'in-the-way'), { recursive: true });
    await expect(moveLibrary(path.join(root, 'A'), path.join(root, 'B'))).rejects.toThrow();
    expect(await contents(path.join(root, 'A'))).toEqual(files);
    expect(await fs.readdir(path.join(root, 'B'))).toEqual(['2020']);
  });

  it('copies to another disk durably, keeps times, and only then deletes the originals', async () => {
    const root = await tempRoot();
    const files = await makeLibrary(path.join(root, 'A'));
    const progress: string[] = [];
    const entries = await fs.readdir(path.join(root, 'A'));
    const seenAtCompletion: string[][] = [];
    const hooks = {
      onProgress: (m: string) => progress.push(m),
      onComplete: async () => void seenAtCompletion.push((await fs.readdir(path.join(root, 'A'))).sort()),
    };
    expect(await copyThenDelete(path.join(root, 'A'), path.join(root, 'B'), entries, hooks)).toEqual({
      leftBehind: [],
    });
    expect(seenAtCompletion).toEqual([['.shoebox', '2019', '2020']]); // told before any original was deleted
    expect(await contents(path.join(root, 'B'))).toEqual(files);
    expect(await fs.readdir(path.join(root, 'A'))).toEqual([]);
    expect(statSync(path.join(root, 'B', '2020', '2020-01', 'IMG_0002.JPG')).mtime.getTime()).toBe(CAPTURED.getTime());
    expect(progress).toContainEqual(expect.stringMatching(/^Copying to the other disk: 4 of 4 files \(/));
  });

  it('leaves the original untouched and removes its partial copy when copying fails', async () => {
    const root = await tempRoot();
    const files = await makeLibrary(path.join(root, 'A'));
    await fs.mkdir(path.join(root, 'B'));
    await fs.writeFile(path.join(root, 'B', '2020'), 'someone else’s file'); // the second entry cannot be created
    const entries = (await fs.readdir(path.join(root, 'A'))).sort(); // .shoebox, 2019, 2020
    await expect(copyThenDelete(path.join(root, 'A'), path.join(root, 'B'), entries)).rejects.toThrow(/already exists/);
    expect(await contents(path.join(root, 'A'))).toEqual(files);
    expect(await contents(path.join(root, 'B'))).toEqual({ 2020: 'someone else’s file' });
  });

  const other =
    os.platform() === 'linux' && existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(os.tmpdir()).dev
      ? '/dev/shm'
      : null;
  it.skipIf(!other)(
    `really moves across disks ` +
      `(${other ? `${os.tmpdir()} to ${other}` : 'skipped: no second file system such as /dev/shm here'})`,
    async () => {
      const root = await tempRoot();
      const files = await makeLibrary(path.join(root, 'A'));
      const elsewhere = await tempRoot(other!);
      expect(await moveLibrary(path.join(root, 'A'), path.join(elsewhere, 'B'))).toEqual({ leftBehind: [] });
      expect(await contents(path.join(elsewhere, 'B'))).toEqual(files);
      expect(await fs.readdir(path.join(root, 'A'))).toEqual([]);
    },
  );
});

describe('checking the folder the user chose', () => {
  it(
    'sees through symbolic links: a link to the backup folder ' +
      'is the backup folder, a path through one may be inside it',
    async () => {
      const { checkNewFolder } = await import('../../../electron/app/folder-ops');
      const root = await tempRoot();
      const current = path.join(root, 'Backup');
      await fs.mkdir(current);
      await fs.symlink(current, path.join(root, 'link'));
      await expect(checkNewFolder(current, path.join(root, 'link'), 'fresh')).rejects.toMatchObject({
        code: 'SAME_FOLDER',
      });
      await expect(checkNewFolder(current, path.join(root, 'link', 'sub', 'deeper'), 'move')).rejects.toMatchObject({
        code: 'NESTED_FOLDER',
      });
      await expect(checkNewFolder(current, path.join(root, 'Elsewhere', 'new'), 'move')).resolves.toBe(
        path.join(root, 'Elsewhere', 'new'),
      );
    },
  );
});
