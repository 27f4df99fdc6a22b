/**
 * The trust boundary of the app API: a command name and request from the window (IPC or WebSocket)
 * are checked against the contract before any handler runs, and answers are checked on the way out.
 */
import {
  COMMANDS,
  AppApiError,
  isCommandName,
  type ApiErrorInfo,
  type AppApiHandlers,
  type CommandName,
} from '../../shared/app-api';
import { isShoeboxError } from '../../shared/protocol';

export type DispatchResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorInfo };

/** An error as the contract carries it: code and message cut to its limits (a long path must not break the answer). */
function describe(error: unknown): ApiErrorInfo {
  const fit = (code: string, message: string): ApiErrorInfo => ({
    code: code.slice(0, 64),
    message: message.length > 2000 ? `${message.slice(0, 1999)}…` : message,
  });
  if (error instanceof AppApiError) return fit(error.code, error.message);
  if (isShoeboxError(error)) return fit(error.code, error.message);
  return fit('INTERNAL', `Something went wrong in Shoebox: ${(error as Error)?.message ?? String(error)}`);
}

export async function dispatch(
  handlers: AppApiHandlers,
  command: unknown,
  request: unknown,
  log: (message: string) => void = () => undefined,
): Promise<DispatchResult> {
  if (!isCommandName(command))
    return {
      ok: false,
      error: { code: 'UNKNOWN_COMMAND', message: `No such command: ${String(command).slice(0, 64)}` },
    };
  const spec = COMMANDS[command];
  const parsed = spec.request.safeParse(request ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: `${command}: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'invalid request'}`,
      },
    };
  }
  try {
    const handler = handlers[command] as (request: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    const checked = spec.response.safeParse(value);
    if (!checked.success) {
      log(`${command} answered outside the contract: ${checked.error.issues[0]?.message ?? ''}`);
      return { ok: false, error: { code: 'INTERNAL', message: `${command} produced an invalid answer.` } };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    const info = describe(error);
    if (info.code === 'INTERNAL') log(`${command} failed: ${(error as Error)?.stack ?? String(error)}`);
    return { ok: false, error: info };
  }
}

export type { CommandName };
