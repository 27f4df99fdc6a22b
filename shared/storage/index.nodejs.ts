/**
 * The storage layer at the bottom (Node only): durable and atomic file writes, fsync helpers, path
 * confinement. Imports nothing but node: builtins; the receiver, the app and the simulator import it.
 */
export {
  errnoCode,
  fsyncDir,
  ensureDirDurable,
  nodeDurableFs,
  type DurableFs,
  type DurableFileHandle,
} from './durable-fs.nodejs';
export {
  writeFileAtomic,
  createFileExclusive,
  readTextIfExists,
  uniqueTempPath,
  type AtomicWriteOptions,
  type CreateDurability,
  type Durability,
  type FileContent,
} from './durable-file.nodejs';
export { confine, isInside, realPathOf, PathOutsideError } from './confine.nodejs';
