/** The receiver's two exclusive folders: the backup folder (library, staging) and the data folder (devices, keys). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReceiverConfig } from './config';
import { InstanceLock } from './util/instance-lock';
import { isInside } from '../../shared/storage/index.nodejs';
import { folderLayout } from './util/folder-layout';

export interface FolderLocks {
  /** Lines to log: stale locks taken over from a receiver that did not close. */
  takenOver: string[];
  release(): Promise<void>;
}

/** Locks the backup folder, then the data folder (once if they are the same file); throws InstanceLockedError. */
export async function lockFolders(
  config: Pick<ReceiverConfig, 'folder' | 'dataDir'>,
  extra: { heartbeatMs?: number } = {},
): Promise<FolderLocks> {
  const takenOver: string[] = [];
  const purpose = 'another Shoebox receiver';
  const common = { purpose, heartbeatMs: extra.heartbeatMs, log: (message: string) => takenOver.push(message) };
  const files = [
    { file: folderLayout(path.resolve(config.folder)).lockFile, guards: `the backup folder ${config.folder}` },
    { file: path.resolve(config.dataDir, 'receiver.lock'), guards: `the data folder ${config.dataDir}` },
  ].filter((entry, i, all) => all.findIndex((other) => other.file === entry.file) === i);
  const held: InstanceLock[] = [];
  const release = async () => {
    for (const lock of held.splice(0).reverse()) await lock.release();
  };
  try {
    for (const { file, guards } of files) held.push(await InstanceLock.acquire(file, { ...common, guards }));
  } catch (error) {
    await release();
    throw error;
  }
  return { takenOver, release };
}

/**
 * Makes sure the backup folder exists. Under the home folder it is created as needed; elsewhere only
 * its last part is: a folder on a disk that is not connected (/Volumes/Photos/Shoebox, E:\\Shoebox)
 * must not quietly become an empty new folder on the system disk.
 */
export async function ensureBackupFolder(folder: string, home = os.homedir()): Promise<void> {
  const target = path.resolve(folder);
  const underHome = home !== '' && isInside(home, target);
  try {
    await fs.mkdir(target, underHome ? { recursive: true } : {});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await fs.stat(target)).isDirectory()) return;
      throw new Error(`${target} is a file, not a folder: choose another backup folder with --folder.`);
    }
    if (code === 'ENOENT') {
      throw new Error(
        `The backup folder ${target} is not there, nor is ${path.dirname(target)}. ` +
          `If it is on a disk that is not connected, connect it and start Shoebox again; ` +
          `otherwise create the folder or choose another one (--folder).`,
      );
    }
    throw error;
  }
}
