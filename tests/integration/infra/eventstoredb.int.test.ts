// The shared event store contract against a live EventStoreDB / KurrentDB, when EVENTSTORE_URL names one
// (for example esdb://127.0.0.1:2113?tls=false from docker-compose). Without it the suite is registered
// as skipped, so the report shows which contract tests did not run and why.
//
// The server must accept the contract's ~1.3 MB payload: raise KURRENTDB_MAX_APPEND_SIZE (or
// EVENTSTORE_MAX_APPEND_SIZE on older images) above its 1 MiB default.
import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { createEventStoreDbEventStore } from '../../../infra/event-store/eventstoredb.ts';
import { describeEventStoreContract } from '../../contracts/event-store.contract.ts';

const eventStoreUrl = process.env.EVENTSTORE_URL;
// One namespace per test run, so earlier runs' streams on the same server are invisible to this one.
const runNamespace = `nicegold-it-${randomUUID().slice(0, 8)}-`;

const makeStore = async () => {
  if (eventStoreUrl === undefined) throw new Error('EVENTSTORE_URL is not set');
  const store = createEventStoreDbEventStore(eventStoreUrl, { streamNamespace: runNamespace });
  return { store, cleanup: () => store.close() };
};

if (eventStoreUrl === undefined || eventStoreUrl === '') {
  describe.skip('EventStoreDB adapter contract (skipped: set EVENTSTORE_URL to run against a live EventStoreDB/KurrentDB)', () => {
    describeEventStoreContract('eventstoredb', makeStore, { uniqueEventIdsAcrossStreams: false });
  });
} else {
  describeEventStoreContract('eventstoredb', makeStore, { uniqueEventIdsAcrossStreams: false });
}
