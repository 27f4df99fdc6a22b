/** Helpers for tests that run the simulator CLI against a real receiver. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../../../shared/simulator/cli/main.nodejs';
import type { SavedPairing } from '../../../shared/simulator/pairing-store.nodejs';

/** The simulator's saved pairings file ($SHOEBOX_SIM_STATE), as the pairing store writes it. */
export interface SimulatorState {
  version: 1;
  pairings: SavedPairing[];
}

/** Captures stdout and stderr: `out()` is stdout only, `text()` both, in order. */
export function captureIo(): CliIo & { out: () => string; text: () => string } {
  let out = '';
  let text = '';
  return {
    stdout: { write: (chunk: string) => ((out += chunk), (text += chunk), true) },
    stderr: { write: (chunk: string) => ((text += chunk), true) },
    out: () => out,
    text: () => text,
  };
}

/** Finds a file by name under root, skipping hidden folders (staging). */
export async function findFile(root: string, name: string): Promise<string | null> {
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(full, name);
      if (found) return found;
    } else if (entry.name === name) return full;
  }
  return null;
}

/** Every file under root, hidden folders (staging) included. */
export async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  return files;
}

/**
 * Files under the backup folder other than the receiver's own
 * bookkeeping (library index, folder lock): photos, staging.
 */
export async function receivedFiles(folder: string): Promise<string[]> {
  const own = [path.join(folder, '.shoebox', 'index') + path.sep, path.join(folder, '.shoebox', 'receiver.lock')];
  return (await listFiles(folder)).filter((file) => !own.some((prefix) => file.startsWith(prefix)));
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

/**
 * For each name: stored somewhere under folder, with the same
 * SHA-256 as in sourceDir; returns the missing or different ones.
 */
export async function differences(sourceDir: string, folder: string, names: string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const name of names) {
    const stored = await findFile(folder, name);
    if (!stored || (await sha256File(stored)) !== (await sha256File(path.join(sourceDir, name)))) bad.push(name);
  }
  return bad;
}
