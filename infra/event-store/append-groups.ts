// Group commit for appends. At most `concurrency` append statements are in flight; appends that arrive
// meanwhile wait, and when a statement finishes the waiting ones go together: appends to distinct
// streams in one statement, so in one transaction and one disk sync. With nothing in flight an append
// goes at once, alone, so a quiet ledger pays no extra latency.
//
// Appends to one stream never overlap: a second append to a stream waits until the first has finished,
// so its expectation is checked against what the first wrote, in the order the caller made them.
import type { AppendResult, ExpectedRevision, NewEvent } from '../../domain/ports/event-store.ts';
import type { AppendKind } from './postgres-schema.ts';

/** An append as it goes to PostgreSQL: validated, payloads encoded. */
export interface EncodedAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expected: ExpectedRevision;
  /**
   * Other streams the append was decided on (AppendOptions.unchanged) as SQL parameters: stream ids and
   * their revisions as text, -1 for "no events yet". Both empty when none.
   */
  readonly unchanged: { readonly streams: readonly string[]; readonly revisions: readonly string[] };
  readonly kind: AppendKind;
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly versions: readonly number[];
  readonly data: readonly string[];
  readonly metadata: readonly string[];
  readonly occurred: readonly string[];
}

export interface AppendGroupsOptions {
  readonly concurrency: number;
  /** Writes one append. */
  readonly one: (append: EncodedAppend) => Promise<AppendResult>;
  /** Writes several appends to distinct streams; one answer per append, in order. */
  readonly many: (group: readonly EncodedAppend[]) => Promise<Array<Promise<AppendResult>>>;
  /** Caps per statement (default 32 appends, 2,000 events; positions leave room for 2^20 events per statement). */
  readonly maxAppends?: number;
  readonly maxEvents?: number;
}

interface Waiting {
  readonly append: EncodedAppend;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export class AppendGroups {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly busyStreams = new Set<string>();
  private readonly maxAppends: number;
  private readonly maxEvents: number;

  constructor(private readonly options: AppendGroupsOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('append concurrency must be an integer >= 1');
    // Small enough that a group commits in a few milliseconds (readers wait for the oldest appender in
    // flight), and that many appenders waiting at once go as several statements, not one: while PostgreSQL
    // writes one group the callers of the last can already be deciding their next appends. With one group
    // taking everything waiting, 100 order loops moved in lockstep (the process idle while the statement
    // ran, the database idle while they decided): 2,050-2,480 orders/s against 2,980-3,350 with 32.
    this.maxAppends = options.maxAppends ?? 32;
    this.maxEvents = options.maxEvents ?? 2_000;
  }

  submit(append: EncodedAppend): Promise<AppendResult> {
    if (this.inFlight < this.options.concurrency && this.waiting.length === 0 && !this.busyStreams.has(append.streamId)) {
      // Nothing waits and a statement is free: go at once, alone (the common case on a quiet store).
      this.inFlight += 1;
      this.busyStreams.add(append.streamId);
      return this.options.one(append).finally(() => {
        this.inFlight -= 1;
        this.busyStreams.delete(append.streamId);
        this.pump();
      });
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.waiting.length > 0) {
      const group = this.take();
      if (group.length === 0) return; // everything waiting is behind an append to its stream in flight
      this.inFlight += 1;
      for (const w of group) this.busyStreams.add(w.append.streamId);
      void this.run(group).finally(() => {
        this.inFlight -= 1;
        for (const w of group) this.busyStreams.delete(w.append.streamId);
        this.pump();
      });
    }
  }

  /** The next group, in arrival order: one append per stream, none to a stream in flight, within the caps. */
  private take(): Waiting[] {
    const group: Waiting[] = [];
    const rest: Waiting[] = [];
    const streams = new Set<string>();
    let events = 0;
    for (const w of this.waiting) {
      const { streamId, ids } = w.append;
      const fits = group.length === 0 || (group.length < this.maxAppends && events + ids.length <= this.maxEvents);
      if (fits && !streams.has(streamId) && !this.busyStreams.has(streamId)) {
        group.push(w);
        streams.add(streamId);
        events += ids.length;
      } else {
        rest.push(w);
      }
    }
    this.waiting = rest;
    return group;
  }

  private async run(group: readonly Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group as [Waiting];
      await this.options.one(only.append).then(only.resolve, only.reject);
      return;
    }
    let answers: Array<Promise<AppendResult>>;
    try {
      answers = await this.options.many(group.map((w) => w.append));
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    await Promise.all(answers.map((answer, i) => answer.then(group[i]!.resolve, group[i]!.reject)));
  }
}
