/**
 * Records lost to a full ring buffer, said while it happens: at most once a second, and only
 * when the count has grown since it was last said; `force` (at the end) skips the wait.
 */
export function lossReporter(
  lostSoFar: () => number,
  nowMs: () => number,
  say: (lost: number, atMs: number) => void,
): (force?: boolean) => void {
  let reported = 0;
  let checkedAt = 0;
  return (force = false) => {
    const now = nowMs();
    if (!force && now - checkedAt < 1000) return;
    checkedAt = now;
    const lost = lostSoFar();
    if (lost === reported) return;
    reported = lost;
    say(lost, now);
  };
}
