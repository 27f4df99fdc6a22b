/**
 * The window's settings in `<dataDir>/app-settings.json` (0600): backup folder chosen in the app, low-space
 * threshold.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../shared/app-api';
import { writeFileAtomic } from '../../shared/storage/index.nodejs';

export const SETTINGS_FILE = 'app-settings.json';

export class SettingsStore {
  private constructor(
    private readonly file: string,
    private data: Settings,
  ) {}

  static async open(dataDir: string, log: (message: string) => void = () => undefined): Promise<SettingsStore> {
    const file = path.join(dataDir, SETTINGS_FILE);
    let data: Settings = {};
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
      if (parsed.success) data = parsed.data;
      else log(`Ignoring ${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`Ignoring ${file}: ${(error as Error).message}`);
    }
    return new SettingsStore(file, data);
  }

  get(): Readonly<Settings> {
    return this.data;
  }

  async update(patch: Partial<Settings>): Promise<void> {
    this.data = settingsSchema.parse({ ...this.data, ...patch });
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`, { durability: 'durable', mode: 0o600 });
  }
}
