/** Runs `fn` at most once per `ms`: the first call at once, later ones folded into one trailing run. */
export class EventThrottle {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly fn: () => void,
  ) {}

  fire(): void {
    if (this.timer) return;
    const wait = this.last + this.ms - Date.now();
    if (wait <= 0) {
      this.last = Date.now();
      this.fn();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = Date.now();
      this.fn();
    }, wait);
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
