// What an import tells while it runs, and the checkpoint it keeps: the pace over the last few seconds
// (an ETA from the average since the start promised 49-64 s for an import that took 134 s, since the
// pace fell as the store grew and the start counted time spent hashing the file), and a checkpoint
// written after the batches the ledger has recorded, coalesced so that writing it never holds up a batch.
import type { KeyValueStore } from '../../../domain/ports/key-value.ts';

export interface ImportProgress {
  /** The file's bytes up to the last line the ledger recorded (lines read ahead or in flight are not counted). */
  readonly bytesDone: number;
  readonly totalBytes: number;
  /** The last line recorded. */
  readonly lines: number;
  /** Lines per second over the last PACE_WINDOW_MS. */
  readonly ticksPerSecond: number;
  /** The bytes left at the pace of the last PACE_WINDOW_MS; undefined until there is a pace. */
  readonly etaSeconds: number | undefined;
}

/**
 * How far back the pace looks: long enough to smooth a slow batch, short enough to follow a trend. Early
 * in an import it is the later half of the time so far: the first batches run before the code is warm
 * (at half the pace of the rest), and a short import's ETA at 10 % promised a fifth too much.
 */
export const PACE_WINDOW_MS = 10_000;
/** Before this much reading there is no pace to speak of. */
const MIN_PACE_MS = 250;
/** The shortest window: a few dozen batches, so that one slow batch (a collection of the heap) does not swing the ETA. */
const MIN_WINDOW_MS = 500;

interface Sample {
  readonly at: number;
  readonly bytes: number;
  readonly lines: number;
}

export class ImportPace {
  private readonly samples: Sample[] = [];
  private startedAt: number;

  constructor(private readonly totalBytes: number, private readonly now: () => number = () => performance.now()) {
    this.startedAt = this.now();
    this.samples.push({ at: this.startedAt, bytes: 0, lines: 0 });
  }

  /** Starts the pace afresh from here (a resumed import skips the lines recorded before at no cost). */
  restart(bytes: number, lines: number): void {
    this.startedAt = this.now();
    this.samples.length = 0;
    this.samples.push({ at: this.startedAt, bytes, lines });
  }

  /**
   * Records how far the import is; samples older than the window (but the newest such one) are dropped.
   * The window is PACE_WINDOW_MS, or the later half of the time so far while that is shorter.
   */
  sample(bytes: number, lines: number): void {
    const at = this.now();
    this.samples.push({ at, bytes, lines });
    const window = Math.min(PACE_WINDOW_MS, Math.max(MIN_WINDOW_MS, (at - this.startedAt) / 2));
    while (this.samples.length > 2 && this.samples[1]!.at <= at - window) this.samples.shift();
  }

  progress(bytesDone: number, lines: number): ImportProgress {
    const oldest = this.samples[0]!;
    const newest = this.samples[this.samples.length - 1]!;
    const ms = newest.at - oldest.at;
    const paced = ms >= MIN_PACE_MS && newest.bytes > oldest.bytes;
    const bytesPerMs = paced ? (newest.bytes - oldest.bytes) / ms : 0;
    return {
      bytesDone, totalBytes: this.totalBytes, lines,
      ticksPerSecond: paced ? ((newest.lines - oldest.lines) * 1_000) / ms : 0,
      etaSeconds: paced ? Math.max(0, this.totalBytes - bytesDone) / bytesPerMs / 1_000 : undefined,
    };
  }
}

/**
 * Keeps the last line recorded under `key`. `record` is called as batches are answered, in order; a write
 * in flight is followed by one write of the latest line, never by one per batch. After a kill the stored
 * line may trail the last batch recorded (those lines are found again as duplicates), never lead it.
 */
export class CheckpointWriter {
  private latest: number | undefined;
  private writing: Promise<void> | undefined;
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly store: KeyValueStore | undefined, private readonly key: string) {}

  record(line: number): void {
    if (this.store === undefined || this.failure !== undefined) return;
    this.latest = line;
    this.writing ??= this.drain(this.store);
  }

  private async drain(store: KeyValueStore): Promise<void> {
    try {
      while (this.latest !== undefined) {
        const line = this.latest;
        this.latest = undefined;
        await store.set(this.key, String(line));
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.writing = undefined;
    }
  }

  /** Waits for the writes in flight; never throws (see throwIfFailed). */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}
