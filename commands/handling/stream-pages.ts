// A stream read a page at a time, oldest first: the one paging loop for whoever folds or scans a whole
// stream (the state cache catching up, training data, compliance's replays and trails).
import type { EventStore, RecordedEvent } from '../../domain/ports/event-store.ts';

/** The events from `fromRevision` (default the start) in pages of up to `pageSize`; no empty pages. */
export async function* streamPages(store: EventStore, streamId: string, fromRevision = 0n, pageSize = 1_000): AsyncGenerator<RecordedEvent[]> {
  for (let from = fromRevision; ;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: pageSize });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    from = page[page.length - 1]!.revision + 1n;
  }
}
