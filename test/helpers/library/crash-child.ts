/**
 * Child process for the crash test: adds resources as fast as it can, printing "acked <n>" once each is
 * durable, until the parent kills it with SIGKILL. Usage: crash-child.ts <folder> <snapshotEveryChanges>
 */
import { LibraryIndex } from '../../../electron/receiver/library/library-index';
import { fakeDescribe, resource } from './fixtures';

const [folder, every] = process.argv.slice(2);
const index = await LibraryIndex.open({
  folder: folder!,
  describeFile: fakeDescribe,
  snapshotEveryChanges: Number(every),
});
process.stdout.write('ready\n');
for (let n = 0; ; n += 10) {
  await Promise.all(
    Array.from({ length: 10 }, (_, k) =>
      index.addResource(resource(n + k)).then(() => process.stdout.write(`acked ${n + k}\n`)),
    ),
  );
}
