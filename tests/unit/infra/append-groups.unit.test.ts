import { describe, expect, it } from 'vitest';
import type { AppendResult } from '../../../domain/ports/event-store.ts';
import { AppendGroups, type EncodedAppend } from '../../../infra/event-store/append-groups.ts';

const append = (streamId: string, events = 1): EncodedAppend => ({
  streamId, events: [], expected: 'any', unchanged: { streams: [], revisions: [] }, kind: 'any',
  ids: Array.from({ length: events }, (_, i) => `${streamId}-${i}`), types: [], versions: [], data: [], metadata: [], occurred: [],
});

/** A writer that records what went together and finishes each statement when the test says so. */
function recordingWriter() {
  const statements: string[][] = [];
  const finishers: Array<() => void> = [];
  const answer = (a: EncodedAppend): AppendResult => ({ nextRevision: BigInt(a.ids.length - 1), position: BigInt(statements.length), written: true });
  const wait = () => new Promise<void>((resolve) => finishers.push(resolve));
  return {
    statements,
    finishNext: async () => { finishers.shift()?.(); await new Promise((r) => setTimeout(r, 0)); },
    one: async (a: EncodedAppend) => { statements.push([a.streamId]); await wait(); return answer(a); },
    many: async (group: readonly EncodedAppend[]) => { statements.push(group.map((a) => a.streamId)); await wait(); return group.map((a) => Promise.resolve(answer(a))); },
  };
}

describe('append groups (group commit)', () => {
  it('sends a lone append at once and groups those that arrive while the statements are busy', async () => {
    const w = recordingWriter();
    const groups = new AppendGroups({ concurrency: 1, one: w.one, many: w.many });
    const first = groups.submit(append('a'));
    const rest = ['b', 'c', 'd'].map((s) => groups.submit(append(s)));
    expect(w.statements).toEqual([['a']]);
    await w.finishNext();
    expect(w.statements).toEqual([['a'], ['b', 'c', 'd']]);
    await w.finishNext();
    await expect(first).resolves.toMatchObject({ written: true });
    await expect(Promise.all(rest)).resolves.toHaveLength(3);
  });

  it('never lets two appends to one stream overlap, and keeps their order', async () => {
    const w = recordingWriter();
    const groups = new AppendGroups({ concurrency: 2, one: w.one, many: w.many });
    void groups.submit(append('a'));
    void groups.submit(append('a'));
    void groups.submit(append('b'));
    void groups.submit(append('a'));
    // 'a' is in flight: the second statement may take 'b' but no other 'a'
    expect(w.statements).toEqual([['a'], ['b']]);
    await w.finishNext();
    expect(w.statements).toEqual([['a'], ['b'], ['a']]);
    await w.finishNext();
    await w.finishNext();
    expect(w.statements).toEqual([['a'], ['b'], ['a'], ['a']]);
    await w.finishNext();
  });

  it('caps a statement by appends and by events', async () => {
    const w = recordingWriter();
    const groups = new AppendGroups({ concurrency: 1, one: w.one, many: w.many, maxAppends: 3, maxEvents: 5 });
    void groups.submit(append('x'));
    for (const s of ['a', 'b', 'c', 'd']) void groups.submit(append(s));
    void groups.submit(append('big', 4));
    await w.finishNext();
    expect(w.statements[1]).toEqual(['a', 'b', 'c']);
    await w.finishNext();
    expect(w.statements[2]).toEqual(['d', 'big']);
    await w.finishNext();
  });

  it('sends a crowd of waiting appends as several statements of at most 32, not one', async () => {
    const w = recordingWriter();
    const groups = new AppendGroups({ concurrency: 2, one: w.one, many: w.many });
    void groups.submit(append('first'));
    void groups.submit(append('second'));
    for (let i = 0; i < 100; i += 1) void groups.submit(append(`s${i}`));
    await w.finishNext();
    await w.finishNext();
    // both statements were free again at once: each took the next 32 in arrival order
    expect(w.statements.slice(2).map((g) => g.length)).toEqual([32, 32]);
    expect(w.statements[2]![0]).toBe('s0');
    expect(w.statements[3]![0]).toBe('s32');
    for (let i = 0; i < 4; i += 1) await w.finishNext();
    expect(w.statements.slice(2).map((g) => g.length)).toEqual([32, 32, 32, 4]);
  });

  it('fails every append of a group whose statement cannot be sent', async () => {
    const down = new Error('event store unreachable');
    let release!: () => void;
    const groups = new AppendGroups({
      concurrency: 1,
      one: () => new Promise<AppendResult>((_, reject) => { release = () => reject(down); }),
      many: () => Promise.reject(down),
    });
    const first = groups.submit(append('a'));
    const grouped = [groups.submit(append('b')), groups.submit(append('c'))];
    release();
    await expect(first).rejects.toBe(down);
    for (const g of grouped) await expect(g).rejects.toBe(down);
  });

  it('refuses a concurrency below one', () => {
    expect(() => new AppendGroups({ concurrency: 0, one: async () => ({ nextRevision: 0n, position: 0n, written: true }), many: async () => [] })).toThrow(RangeError);
  });
});
