/*
 * The instants of a signal series, shared by the real telemetry readers and
 * any source (the demo module) that answers range queries itself.
 */

/**
 * The steps of a series over a window ending at `end`.
 * @public
 */
export function stepsOf(
  end: Date,
  windowSeconds: number,
  stepSeconds: number,
): number[] {
  const last = Math.floor(end.getTime() / 1000 / stepSeconds) * stepSeconds;
  const steps: number[] = [];
  for (
    let t = last - windowSeconds + stepSeconds;
    t <= last;
    t += stepSeconds
  ) {
    steps.push(t);
  }
  return steps;
}
