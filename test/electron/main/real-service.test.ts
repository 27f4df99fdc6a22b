/** The shell over a real AppService (receiver on 127.0.0.1): IPC reaches it, quitting closes it for real. */
import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../electron/app/app-service';
import { ShellApp } from '../../../electron/main/shell-app';
import { invokeChannel } from '../../../shared/app-api';
import { makeTempDir, testConfig } from '../../helpers/receiver-fixture';
import { harness } from '../../helpers/shell/fakes';

let root: string | undefined;
afterEach(async () => {
  if (root) await fs.rm(root, { recursive: true, force: true });
  root = undefined;
});

describe('the shell over a real app service', () => {
  it('serves the API over IPC and closes the receiver when quitting', async () => {
    root = await makeTempDir('shoebox-shell-');
    const h = harness();
    let service: AppService | undefined;
    const opened: string[] = [];
    h.deps.startService = async (opener) => {
      service = await AppService.start({ config: testConfig(root!), opener });
      return service;
    };
    h.deps.shell.openPath = async (p) => (opened.push(p), '');
    const shell = await ShellApp.start(h.deps);
    expect(shell).not.toBeNull();
    const url = service!.receiver.url;
    expect((await fetch(`${url}/v1/info`)).status).toBe(200);

    const snapshot = (await h.ipc.invoke(invokeChannel('app.snapshot'), 'app://shoebox/index.html', {})) as {
      ok: boolean;
      value: { status: { listeningUrl: string } };
    };
    expect(snapshot.ok).toBe(true);
    expect(snapshot.value.status.listeningUrl).toBe(url);
    expect(await h.ipc.invoke(invokeChannel('folder.open'), 'app://shoebox/index.html', {})).toEqual({
      ok: true,
      value: { ok: true },
    });
    expect(opened).toEqual([testConfig(root).folder]);

    h.app.quit();
    await shell!.whenClosed();
    expect(h.app.quitted).toBe(true);
    await expect(fetch(`${url}/v1/info`)).rejects.toThrow();
  });
});
