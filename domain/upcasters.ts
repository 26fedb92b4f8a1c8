// Every upcaster of the ledger's events, registered in one place. When an event's schema changes, bump
// its schemaVersion where it is produced and register the step from the old version here.
import { UpcasterRegistry } from './shared/upcasting.ts';

export const eventUpcasters = new UpcasterRegistry();
