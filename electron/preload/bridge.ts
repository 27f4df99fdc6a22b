/**
 * `window.shoebox` (shared/app-api/bridge.ts): invoke one command, subscribe to one event; nothing
 * else crosses. Requests are checked against the contract before they are sent and answers before
 * they are handed over, events too. Plain code: the preload entry (index.ts) passes Electron's
 * contextBridge and ipcRenderer, tests pass fakes.
 */
import {
  apiErrorSchema,
  COMMANDS,
  EVENTS,
  isCommandName,
  isEventName,
  type ApiErrorInfo,
} from '../../shared/app-api/contract';
import { eventChannel, invokeChannel, type ShoeboxBridge } from '../../shared/app-api/bridge';

/** What the bridge uses of ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

/** The name under which the renderer finds the bridge (renderer/src/api/index.ts). */
export const BRIDGE_KEY = 'shoebox';

type Answer = { ok: true; value: unknown } | { ok: false; error: ApiErrorInfo };

const fail = (code: string, message: string): Answer => ({ ok: false, error: { code, message } });

function checkAnswer(command: keyof typeof COMMANDS, answer: unknown): Answer {
  if (typeof answer === 'object' && answer !== null && 'ok' in answer) {
    if (answer.ok === true && 'value' in answer) {
      const value = COMMANDS[command].response.safeParse(answer.value);
      if (value.success) return { ok: true, value: value.data };
    } else if (answer.ok === false && 'error' in answer) {
      const error = apiErrorSchema.safeParse(answer.error);
      if (error.success) return { ok: false, error: error.data };
    }
  }
  return fail('BAD_RESPONSE', `Shoebox answered ${command} with something unexpected.`);
}

export function createBridge(ipc: IpcRendererLike): ShoeboxBridge {
  const bridge: ShoeboxBridge = {
    async invoke(command, request) {
      if (!isCommandName(command)) return fail('UNKNOWN_COMMAND', `No such command: ${String(command).slice(0, 64)}`);
      const parsed = COMMANDS[command].request.safeParse(request ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail(
          'BAD_REQUEST',
          `${command}: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'invalid request'}`,
        );
      }
      let answer: unknown;
      try {
        answer = await ipc.invoke(invokeChannel(command), parsed.data);
      } catch (error) {
        return fail('IPC_FAILED', `Shoebox did not answer ${command}: ${(error as Error)?.message ?? String(error)}`);
      }
      return checkAnswer(command, answer);
    },
    on(event, listener) {
      if (!isEventName(event)) throw new TypeError(`No such event: ${String(event).slice(0, 64)}`);
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      const schema = EVENTS[event];
      // The IPC event object (with its sender) never reaches the page: only the checked payload does.
      const relay = (_event: unknown, payload: unknown) => {
        const checked = schema.safeParse(payload);
        if (checked.success) listener(checked.data);
      };
      ipc.on(eventChannel(event), relay);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(eventChannel(event), relay);
      };
    },
  };
  return Object.freeze(bridge);
}

export function exposeBridge(contextBridge: ContextBridgeLike, ipc: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipc));
}
