// The submission times the rate throttle counts, as a persistent sorted sequence. Each order used to
// filter and copy the whole array of times still inside the window, in the decider and again in evolve:
// O(orders in the window) per order, so the faster an account submits (a flood, the very thing the
// throttle exists to stop) the slower every one of its orders, and a replay of an account that once
// placed thousands of orders a second spent tens of µs per order in evolve (30,000 orders: 3.46 s of fold).
//
// Here the times sit sorted in an array shared between successive states; a state sees the slice
// [start, end). Recording a time at or after the newest appends in place when the state is the newest
// one sharing the array (otherwise it copies first, so no state ever changes under anyone holding it),
// and leaving the window moves `start` by binary search. Counting the times after an instant is one
// binary search. The times kept are exactly those the plain filter-and-append kept, so every check
// observes the same count as before.
const COMPACT_AFTER = 1_024;

interface Shared {
  readonly times: number[];
}

/** Index of the first time in [from, to) that is greater than `ms` (times sorted ascending). */
function firstAfter(times: readonly number[], ms: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export class SubmitTimes {
  static readonly EMPTY = new SubmitTimes({ times: [] }, 0, 0);

  private constructor(
    private readonly shared: Shared,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The given times (any order), as a sequence; for tests and for building a view from plain data. */
  static of(times: readonly number[]): SubmitTimes {
    const sorted = [...times].sort((a, b) => a - b);
    return new SubmitTimes({ times: sorted }, 0, sorted.length);
  }

  get size(): number {
    return this.end - this.start;
  }

  /** How many submissions were later than `ms` (epoch ms). */
  countAfter(ms: number): number {
    return this.end - firstAfter(this.shared.times, ms, this.start, this.end);
  }

  /** Ascending. */
  toArray(): number[] {
    return this.shared.times.slice(this.start, this.end);
  }

  /**
   * A submission at `placedMs`, the times at or before `windowStart` left out (as
   * `[...times.filter((t) => t > windowStart), placedMs]` would, sorted).
   */
  record(placedMs: number, windowStart: number): SubmitTimes {
    const { times } = this.shared;
    const start = firstAfter(times, windowStart, this.start, this.end);
    const newest = this.end > start ? times[this.end - 1]! : -Infinity;
    const compact = start >= COMPACT_AFTER && start >= this.end - start;
    if (placedMs >= newest && this.end === times.length && !compact) {
      times.push(placedMs); // this state is the newest on the shared array: no one sees past `end`
      return new SubmitTimes(this.shared, start, this.end + 1);
    }
    // A branch from an older state, a clock that went back, or an expired prefix as long as what is
    // left: copy the live slice. The last keeps the shared array under twice the window, and its copies
    // cost O(1) per order amortized (one copy per `live` expired times at the least).
    const live = times.slice(start, this.end);
    const at = firstAfter(live, placedMs, 0, live.length);
    live.splice(at, 0, placedMs);
    return new SubmitTimes({ times: live }, 0, live.length);
  }
}
