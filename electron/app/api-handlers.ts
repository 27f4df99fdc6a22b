/**
 * Every command of the app API (shared/app-api/contract.ts), answered from the library session, the
 * live queue and the folder view. `AppApiHandlers` makes the compiler ask for each one.
 */
import type { AppApiHandlers, AppStatus, DeviceInfo, FolderInfo } from '../../shared/app-api';
import { AppApiError } from '../../shared/app-api';
import type { Receiver } from '../receiver/receiver';
import { resolveInside } from './folder-ops';
import { arrivalsPage } from './library-view';
import type { Opener } from './opener';
import { pairingState } from './pairing-view';
import type { QueueModel } from './queue-model';

/** What the handlers work on; the app service provides it. */
export interface HandlerContext {
  /** The receiver, once no folder change is in progress. */
  ready(): Promise<Receiver>;
  /** The backup folder in use. */
  folder(): string;
  readonly queue: QueueModel;
  readonly opener: Opener;
  status(): AppStatus;
  deviceList(): DeviceInfo[];
  folderInfo(): Promise<FolderInfo>;
  /** Sends `folder` (and `status`) if they changed; null while a folder change runs. */
  refreshFolder(): Promise<FolderInfo | null>;
  /** The folder view last sent, if any. */
  lastFolder(): FolderInfo | null;
  changeFolder(path: string, mode: 'move' | 'fresh'): Promise<FolderInfo>;
  setLowSpaceThreshold(bytes: number): Promise<void>;
  statusChanged(): void;
  pairingChanged(): Promise<void>;
}

export function createApiHandlers(ctx: HandlerContext): AppApiHandlers {
  const { queue, opener } = ctx;
  return {
    'app.snapshot': async () => {
      const receiver = await ctx.ready();
      return {
        status: ctx.status(),
        queue: queue.snapshot(),
        devices: ctx.deviceList(),
        pairing: await pairingState(receiver),
        folder: ctx.lastFolder() ?? (await ctx.folderInfo()),
      };
    },
    'queue.get': async () => queue.snapshot(),
    'queue.clearFinished': async () => {
      queue.clearFinished();
      return queue.snapshot();
    },
    'arrivals.page': async ({ offset, limit }) => {
      const receiver = await ctx.ready();
      return arrivalsPage(receiver.library, offset, limit, (id) => receiver.device(id)?.name ?? null);
    },
    'arrivals.showInFolder': async ({ path: rel }) => {
      const receiver = await ctx.ready();
      if (!receiver.library.getByPath(rel))
        throw new AppApiError('NOT_FOUND', `${rel} is not in the backup folder any more.`);
      await opener.revealFile(resolveInside(ctx.folder(), rel)).catch((error: Error) => {
        throw new AppApiError('OPEN_FAILED', error.message);
      });
      return { ok: true as const };
    },
    'devices.list': async () => {
      await ctx.ready();
      return ctx.deviceList();
    },
    'devices.revoke': async ({ deviceId }) => {
      const receiver = await ctx.ready();
      if (!receiver.device(deviceId)) throw new AppApiError('NOT_FOUND', 'No paired device with that id.');
      return { revoked: await receiver.revokeDevice(deviceId) };
    },
    'pairing.open': async () => {
      const receiver = await ctx.ready();
      receiver.openPairing();
      return pairingState(receiver);
    },
    'pairing.close': async () => {
      const receiver = await ctx.ready();
      receiver.closePairing('withdrawn');
      return pairingState(receiver);
    },
    'pairing.get': async () => pairingState(await ctx.ready()),
    'folder.get': async () => {
      await ctx.ready();
      return (await ctx.refreshFolder()) ?? ctx.folderInfo();
    },
    'folder.change': ({ path: wanted, mode }) => ctx.changeFolder(wanted, mode),
    'folder.choose': async () => {
      throw new AppApiError('UNAVAILABLE', 'This window has no system folder picker: type the folder’s path instead.');
    },
    'folder.open': async () => {
      await ctx.ready();
      await opener.openFolder(ctx.folder()).catch((error: Error) => {
        throw new AppApiError('OPEN_FAILED', error.message);
      });
      return { ok: true as const };
    },
    'settings.setName': async ({ name }) => {
      await (await ctx.ready()).rename(name);
      ctx.statusChanged();
      await ctx.pairingChanged();
      return ctx.status();
    },
    'settings.setLowSpaceThreshold': async ({ bytes }) => {
      await ctx.setLowSpaceThreshold(bytes);
      return (await ctx.refreshFolder()) ?? ctx.folderInfo();
    },
  };
}
