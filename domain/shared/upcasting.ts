// Old event schema versions are upgraded on read; stored events are never rewritten. Each upcaster
// lifts one type from version n to n + 1; reading applies the chain up to the newest version.
import type { EventData, RecordedEvent } from '../ports/event-store.ts';

export type Upcaster = (data: EventData, event: RecordedEvent) => EventData;

export class UpcasterRegistry {
  private readonly chains = new Map<string, Map<number, Upcaster>>();

  /** Registers the step from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    const chain = this.chains.get(type) ?? new Map<number, Upcaster>();
    if (chain.has(fromVersion)) throw new Error(`an upcaster for ${type} v${fromVersion} is already registered`);
    chain.set(fromVersion, upcaster);
    this.chains.set(type, chain);
    return this;
  }

  /** The newest schema version known for a type (1 when it has no upcasters). */
  latestVersion(type: string): number {
    const chain = this.chains.get(type);
    return chain ? Math.max(...chain.keys()) + 1 : 1;
  }

  upcast(event: RecordedEvent): RecordedEvent {
    const chain = this.chains.get(event.type);
    if (!chain) return event;
    let { data } = event;
    let version = event.schemaVersion;
    for (let step = chain.get(version); step; step = chain.get(version)) {
      data = step(data, event);
      version += 1;
    }
    return version === event.schemaVersion ? event : { ...event, data, schemaVersion: version };
  }
}
