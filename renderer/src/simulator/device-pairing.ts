/**
 * The simulated phone's identity and device token (kept in localStorage, like the app's keychain item),
 * paired through the window server's /v1 mount with a code the app service opens.
 */
import type { AppClient } from '$shared/app-api';
import { pair } from '$shared/simulator/pair';

const TOKEN_KEY = 'shoebox.simulator.token';
const DEVICE_KEY = 'shoebox.simulator.deviceId';

export class DevicePairing {
  readonly deviceName = 'Simulated iPhone';
  readonly deviceId: string;
  private token: string | null;

  constructor(private readonly app: AppClient) {
    this.deviceId = localStorage.getItem(DEVICE_KEY) ?? `sim-${crypto.randomUUID()}`;
    localStorage.setItem(DEVICE_KEY, this.deviceId);
    this.token = localStorage.getItem(TOKEN_KEY);
  }

  get baseUrl(): string {
    return window.location.origin;
  }

  async ensureToken(): Promise<string> {
    if (this.token) return this.token;
    const state = await this.app.call('pairing.get', {});
    const code = state.code ?? (await this.app.call('pairing.open', {})).code;
    if (!code) throw new Error('Pairing is not open on the computer.');
    const answer = await pair({ baseUrl: this.baseUrl, code, deviceName: this.deviceName, deviceId: this.deviceId });
    this.token = answer.token;
    localStorage.setItem(TOKEN_KEY, answer.token);
    return answer.token;
  }

  forget(): void {
    this.token = null;
    localStorage.removeItem(TOKEN_KEY);
  }
}
