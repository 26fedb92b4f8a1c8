// A keyed set that only grows (one hour of client order ids, see client-order-ids.ts) shared between
// successive account states. Copying an ever-growing Map on every event would make each order cost O(history);
// here each state sees only the first `size` entries of a shared store, and adding to the newest state
// writes in place. Adding to an older state (a branch) copies first, so every state stays immutable as
// far as anyone holding it can tell.

interface Entry<V> {
  readonly seq: number;
  readonly value: V;
}

interface Store<V> {
  readonly entries: Map<string, Entry<V>>;
  size: number;
}

export interface GrowOnlyIndex<V> {
  readonly store: Store<V>;
  readonly size: number;
}

export const emptyIndex = <V>(): GrowOnlyIndex<V> => ({ store: { entries: new Map(), size: 0 }, size: 0 });

export function lookup<V>(index: GrowOnlyIndex<V>, key: string): V | undefined {
  const entry = index.store.entries.get(key);
  return entry !== undefined && entry.seq < index.size ? entry.value : undefined;
}

export const has = <V>(index: GrowOnlyIndex<V>, key: string): boolean => lookup(index, key) !== undefined;

/** The entries this index sees, in the order they were added. */
export function entriesOf<V>(index: GrowOnlyIndex<V>): Array<[string, V]> {
  const entries: Array<[string, V]> = [];
  for (const [key, entry] of index.store.entries) if (entry.seq < index.size) entries.push([key, entry.value]);
  return entries;
}

/** Returns an index that also holds key -> value. A key already visible keeps its first value. */
export function including<V>(index: GrowOnlyIndex<V>, key: string, value: V): GrowOnlyIndex<V> {
  if (has(index, key)) return index;
  // The very entry this add would make is already next in the store (the same event folded twice,
  // say by a handler and a test): share it rather than copy.
  const next = index.store.entries.get(key);
  if (next !== undefined && next.seq === index.size && Object.is(next.value, value)) return { store: index.store, size: index.size + 1 };
  const store = index.store.size === index.size ? index.store : branch(index);
  store.entries.set(key, { seq: index.size, value });
  store.size = index.size + 1;
  return { store, size: index.size + 1 };
}

function branch<V>(index: GrowOnlyIndex<V>): Store<V> {
  const entries = new Map<string, Entry<V>>();
  for (const [key, entry] of index.store.entries) if (entry.seq < index.size) entries.set(key, entry);
  return { entries, size: index.size };
}
