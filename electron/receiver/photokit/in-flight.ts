/**
 * HTTP requests currently writing into an upload, so they can be stopped: when their device is revoked,
 * when the receiver shuts down, and when a newer request takes over the same upload resource (the
 * draft's recommended handling of a request the client already gave up on).
 */
import type { ShoeboxError } from '../../../shared/protocol';

export class InFlightUpload {
  /** Set once every byte is in and the commit runs: stopping then waits for the commit instead. */
  committing = false;
  readonly settled: Promise<void>;
  private readonly controller = new AbortController();
  private markSettled!: () => void;

  constructor(
    readonly deviceId: string,
    readonly resourceId: string | null,
  ) {
    this.settled = new Promise<void>((resolve) => (this.markSettled = resolve));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the request (its bytes so far are kept) and resolves once it has let go of the upload. */
  stop(reason: ShoeboxError): Promise<void> {
    if (!this.committing && !this.controller.signal.aborted) this.controller.abort(reason);
    return this.settled;
  }

  settle(): void {
    this.markSettled();
  }
}

export class InFlightRegistry {
  private readonly requests = new Set<InFlightUpload>();
  private closedBy: ShoeboxError | null = null;

  /** `refuse` says why a device may not upload any more (revoked), checked as each request starts. */
  constructor(private readonly refuse: (deviceId: string) => ShoeboxError | null = () => null) {}

  /**
   * Registers a request. One that starts after its device was revoked or the receiver began closing
   * (it waited on a lock meanwhile) starts stopped, so it never writes or commits.
   */
  start(deviceId: string, resourceId: string | null): InFlightUpload {
    const request = new InFlightUpload(deviceId, resourceId);
    this.requests.add(request);
    const refusal = this.closedBy ?? this.refuse(deviceId);
    if (refusal) void request.stop(refusal);
    return request;
  }

  end(request: InFlightUpload): void {
    this.requests.delete(request);
    request.settle();
  }

  forResource(resourceId: string): InFlightUpload | undefined {
    for (const request of this.requests) if (request.resourceId === resourceId) return request;
    return undefined;
  }

  stopDevice(deviceId: string, reason: ShoeboxError): Promise<void> {
    const stopping = [...this.requests].filter((r) => r.deviceId === deviceId).map((r) => r.stop(reason));
    return Promise.all(stopping).then(() => undefined);
  }

  stopAll(reason: ShoeboxError): Promise<void> {
    this.closedBy ??= reason;
    return Promise.all([...this.requests].map((r) => r.stop(reason))).then(() => undefined);
  }
}
