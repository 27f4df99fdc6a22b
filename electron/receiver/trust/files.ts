/** File helpers for the TLS material: a private directory, keys kept private. Writes: shared/storage. */
import { chmod, mkdir, stat } from 'node:fs/promises';

/** Creates the directory (and parents) and makes it readable by the owner only. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}

/** Narrows a private key file back to 0600 if something widened it (POSIX only). */
export async function keepPrivate(file: string): Promise<void> {
  if (process.platform === 'win32') return;
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) await chmod(file, 0o600);
}
