/** Where the simulator CLI writes: its stdout and stderr (process streams, or captured in tests). */
import type { OutputStream } from './progress-view';

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}
