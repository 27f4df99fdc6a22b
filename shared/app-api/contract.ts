/**
 * The one app API between the window and the app service: commands (request -> response) and events
 * (service -> window). Both adapters (Electron IPC, local WebSocket) carry exactly this, and check every
 * request and event against these schemas where they cross the trust boundary.
 */
import { z } from 'zod';
import { CONTROL_CHARACTERS } from '../text';
import {
  appSnapshotSchema,
  appStatusSchema,
  arrivalsChangeSchema,
  arrivalsPageSchema,
  deviceInfoSchema,
  folderInfoSchema,
  pairingStateSchema,
  queueSnapshotSchema,
} from './schemas';

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

/** Folder paths come from the user (a dialog or a text field): absolute, no NUL. */
const folderPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'must not contain NUL');

export const COMMANDS = {
  /** Everything the window needs to draw its first frame. */
  'app.snapshot': { request: none, response: appSnapshotSchema },
  'queue.get': { request: none, response: queueSnapshotSchema },
  /** Forget finished rows (stored, duplicate, failed) from the queue view. */
  'queue.clearFinished': { request: none, response: queueSnapshotSchema },
  /** Stored files, newest first. */
  'arrivals.page': {
    request: z.object({ offset: z.number().int().min(0), limit: z.number().int().min(1).max(500) }).strict(),
    response: arrivalsPageSchema,
  },
  /** Opens the file manager with this stored file selected (path relative to the backup folder). */
  'arrivals.showInFolder': { request: z.object({ path: z.string().min(1).max(1000) }).strict(), response: ok },
  'devices.list': { request: none, response: z.array(deviceInfoSchema) },
  'devices.revoke': {
    request: z.object({ deviceId: z.string().min(1).max(200) }).strict(),
    response: z.object({ revoked: z.boolean() }),
  },
  /** Opens pairing with a fresh six-digit code. */
  'pairing.open': { request: none, response: pairingStateSchema },
  'pairing.close': { request: none, response: pairingStateSchema },
  'pairing.get': { request: none, response: pairingStateSchema },
  'folder.get': { request: none, response: folderInfoSchema },
  /** move: what is there moves along; fresh: the new folder starts empty (the old one stays as it is). */
  'folder.change': {
    request: z.object({ path: folderPath, mode: z.enum(['move', 'fresh']) }).strict(),
    response: folderInfoSchema,
  },
  /** The system's folder picker (desktop app only; the browser window types a path): the chosen folder, or null. */
  'folder.choose': { request: none, response: z.object({ path: folderPath.nullable() }) },
  'folder.open': { request: none, response: ok },
  /** Renames this computer as phones see it (Bonjour, certificate, pairing); answers the new status. */
  'settings.setName': {
    request: z
      .object({
        name: z
          .string()
          .trim()
          .min(1)
          .max(63)
          .refine((n) => !CONTROL_CHARACTERS.test(n), 'must not contain control characters (tabs, line breaks)'),
      })
      .strict(),
    response: appStatusSchema,
  },
  'settings.setLowSpaceThreshold': {
    request: z
      .object({
        bytes: z
          .number()
          .int()
          .min(0)
          .max(2 ** 50),
      })
      .strict(),
    response: folderInfoSchema,
  },
} as const;

export const EVENTS = {
  status: appStatusSchema,
  queue: queueSnapshotSchema,
  /** How the library changed: files stored (newest first), files deleted by hand, the new total. */
  arrivals: arrivalsChangeSchema,
  devices: z.array(deviceInfoSchema),
  pairing: pairingStateSchema,
  folder: folderInfoSchema,
} as const;

export type CommandName = keyof typeof COMMANDS;
export type EventName = keyof typeof EVENTS;
export type CommandRequest<C extends CommandName> = z.input<(typeof COMMANDS)[C]['request']>;
export type CommandResponse<C extends CommandName> = z.infer<(typeof COMMANDS)[C]['response']>;
export type EventPayload<E extends EventName> = z.infer<(typeof EVENTS)[E]>;

/** The service side: one handler per command. */
export type AppApiHandlers = {
  [C in CommandName]: (request: z.infer<(typeof COMMANDS)[C]['request']>) => Promise<CommandResponse<C>>;
};

/** The window side: what both renderer adapters offer. */
export interface AppClient {
  call<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** URL of a stored file's thumbnail (WebP), by content hash. */
  thumbnailUrl(sha256: string): string;
  /** Whether folder.choose shows a system dialog (the desktop app) or is unavailable (a browser). */
  readonly systemDialogs: boolean;
  /** 'connected' | 'reconnecting' | 'closed', for a banner when the service goes away. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(EVENTS, value);
}

/** An error a command answers with; `code` is stable, `message` is for people. */
export const apiErrorSchema = z.object({ code: z.string().max(64), message: z.string().max(2000) });
export type ApiErrorInfo = z.infer<typeof apiErrorSchema>;

export class AppApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppApiError';
  }
}
