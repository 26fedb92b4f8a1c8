// Snapshots of aggregate states beside their streams: loading a long stream reads its latest snapshot and
// only the events after it. A snapshot names the fold that made it (Decider.snapshot.version) and the id of
// the last event it folded, so one of another fold, or one a reset store no longer has the event of, is
// never used: the stream is folded from its start instead.
export interface Snapshot {
  readonly streamId: string;
  /** The revision of the last event folded into the state, and that event's id. */
  readonly revision: bigint;
  readonly eventId: string;
  /** SnapshotCodec.version of the fold that made it. */
  readonly foldVersion: string;
  /** SnapshotCodec.encode of the state. */
  readonly state: string;
}

export interface SnapshotStore {
  /** The stream's latest snapshot made by this fold version, if any. */
  load(streamId: string, foldVersion: string): Promise<Snapshot | undefined>;
  /** Keeps the snapshot unless one of a later revision by the same fold is already there. */
  save(snapshot: Snapshot): Promise<void>;
  /** Optional: the streams (ids starting with `streamPrefix`) whose snapshots of this fold were written last, newest first. */
  recent?(streamPrefix: string, foldVersion: string, limit: number): Promise<string[]>;
}
