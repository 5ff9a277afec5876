/**
 * --max-events-per-sec: at most N records printed per wall-clock second; the rest are
 * counted (and still counted exactly by the BPF maps). 0 means no limit.
 */
export class PrintLimiter {
  private second = -1;
  private printed = 0;
  /** Records not printed because of the limit. */
  suppressed = 0;

  constructor(private readonly perSecond: number) {}

  /** Whether a record at `epochMicros` may be printed (and counts it). */
  allow(epochMicros: number): boolean {
    if (this.perSecond <= 0) return true;
    const second = Math.floor(epochMicros / 1_000_000);
    if (second !== this.second) {
      this.second = second;
      this.printed = 0;
    }
    if (this.printed < this.perSecond) {
      this.printed++;
      return true;
    }
    this.suppressed++;
    return false;
  }
}
