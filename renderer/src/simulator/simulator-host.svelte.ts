/**
 * The simulated iPhone as the window keeps it: one identity and token, two upload models to choose
 * from (PhotoKit jobs over HTTP, like iOS; or the chunk stream over WebSocket), alive as long as the
 * window so uploads go on while another view is shown.
 */
import type { AppClient } from '$shared/app-api';
import { DevicePairing } from './device-pairing';
import { PhotoKitPhone } from './photokit-phone.svelte';
import type { Phone, PhoneModel } from './phone-types';
import { StreamPhone } from './stream-phone.svelte';

export class SimulatorHost {
  model = $state<PhoneModel>('photokit');
  private readonly phones: Record<PhoneModel, Phone>;

  constructor(app: AppClient) {
    const pairing = new DevicePairing(app);
    this.phones = { photokit: new PhotoKitPhone(pairing), stream: new StreamPhone(pairing, 100_000) };
  }

  get phone(): Phone {
    return this.phones[this.model];
  }

  get running(): boolean {
    return this.phones.photokit.running || this.phones.stream.running;
  }

  get deviceId(): string {
    return this.phone.deviceId;
  }

  /** Switching models is allowed while nothing is uploading. */
  setModel(model: PhoneModel): void {
    if (this.running) return;
    const from = this.phone;
    this.model = model;
    const to = this.phone;
    to.setLocked(from.locked);
    if (to.network !== from.network) to.setNetwork(from.network);
    to.setTerminations(from.terminations);
  }
}
