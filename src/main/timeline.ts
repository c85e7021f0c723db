/**
 * The pace of a run: `[ms since start, records delivered]` after a batch, at least `step` ms
 * apart, written to `--stats` so a CI job can tell the rate once warm, or see a stall. Past
 * MAX_POINTS it keeps every other point and doubles the step, so an endless run keeps a bounded,
 * evenly spread record.
 */
export type TimelinePoint = [ms: number, records: number];

export class Timeline {
  static readonly MAX_POINTS = 1000;
  readonly points: TimelinePoint[] = [];

  constructor(private step = 250) {}

  note(ms: number, records: number): void {
    const last = this.points[this.points.length - 1];
    if (last && ms - last[0] < this.step) return;
    this.points.push([Math.round(ms), records]);
    if (this.points.length <= Timeline.MAX_POINTS) return;
    const kept = this.points.filter((_, i) => i % 2 === 0);
    this.points.splice(0, this.points.length, ...kept);
    this.step *= 2;
  }
}

/**
 * Records per second from `warmMs` after the first point (the first batch) to `end` (the end of
 * the run, delivery confirmed): the rate once warm. Undefined when what is left after the warm-up
 * is shorter than a second, too little to tell.
 */
export function rateAfter(points: readonly TimelinePoint[], warmMs: number, end: TimelinePoint): number | undefined {
  const first = points[0];
  const from = first && points.find(([ms]) => ms >= first[0] + warmMs);
  if (!from || end[0] - from[0] < 1000) return undefined;
  return Math.round((end[1] - from[1]) / ((end[0] - from[0]) / 1000));
}
