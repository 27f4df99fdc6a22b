/**
 * "Change backup folder…": the system folder picker, then move-or-fresh, then the app API's
 * folder.change (through dispatch, so the request is checked like any other call).
 */
import type { AppApiHandlers } from '../../shared/app-api/contract';
import { dispatch } from '../app/api-dispatch';
import type { DialogsLike } from './electron-like';

/** The app API as the desktop window gets it: folder.choose opens the system's folder picker. */
export function withSystemDialogs(
  handlers: AppApiHandlers,
  dialogs: Pick<DialogsLike, 'chooseFolder'>,
  log: (message: string) => void = () => undefined,
): AppApiHandlers {
  return {
    ...handlers,
    'folder.choose': async () => {
      const current = await dispatch(handlers, 'folder.get', {}, log);
      const from = current.ok ? (current.value as { path: string }).path : '';
      const chosen = await dialogs.chooseFolder({
        title: 'Choose the backup folder',
        defaultPath: from,
        buttonLabel: 'Use this folder',
      });
      return { path: chosen === null || chosen === from ? null : chosen };
    },
  };
}

export type FolderChangeOutcome = 'changed' | 'canceled' | 'failed';

export const MOVE_CHOICES = ['Move my photos there', 'Start fresh there', 'Cancel'] as const;

export async function changeBackupFolder(
  dialogs: DialogsLike,
  handlers: AppApiHandlers,
  log: (message: string) => void = () => undefined,
): Promise<FolderChangeOutcome> {
  const current = await dispatch(handlers, 'folder.get', {}, log);
  const from = current.ok ? (current.value as { path: string }).path : '';
  const chosen = await dialogs.chooseFolder({
    title: 'Choose the backup folder',
    defaultPath: from,
    buttonLabel: 'Use this folder',
  });
  if (chosen === null || chosen === from) return 'canceled';
  const choice = await dialogs.ask({
    type: 'question',
    message: `Back up to ${chosen}?`,
    detail:
      `Move: the ${from ? `photos already in ${from}` : 'photos already backed up'} ` +
      `move along, and Shoebox goes on there.\n` +
      'Start fresh: the new folder starts empty; the old one stays as it is.',
    buttons: [...MOVE_CHOICES],
    defaultId: 0,
    cancelId: 2,
  });
  if (choice !== 0 && choice !== 1) return 'canceled';
  const result = await dispatch(
    handlers,
    'folder.change',
    { path: chosen, mode: choice === 0 ? 'move' : 'fresh' },
    log,
  );
  if (result.ok) return 'changed';
  dialogs.showError('Could not change the backup folder', result.error.message);
  return 'failed';
}
