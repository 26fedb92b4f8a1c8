// Times what the desk's system dashboard shows: every command a process handles (by type, with its
// outcome) and every append to the event store. Wrappers, so the handlers and adapters stay free of
// metrics code and every role that builds a trading service or opens a store counts the same way.
import type { EventStore } from '../../domain/ports/event-store.ts';
import type { TradingService } from '../../commands/trading/index.ts';
import type { Metrics } from './metrics.ts';

/** A thrown error's stable code (`RISK_LIMITS.INVALID`, `EVENT_STORE.STREAMS_CHANGED`), or `error`. */
export function outcomeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(code) ? code : 'error';
}

function timed<A extends unknown[], R>(metrics: Metrics, type: string, run: (...args: A) => Promise<R>, outcome: (result: R) => string = () => 'ok') {
  const latency = metrics.commandLatency.labels({ type }); // labels resolved once, not hashed per command
  return async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      const result = await run(...args);
      metrics.commands.inc({ type, outcome: outcome(result) });
      return result;
    } catch (error) {
      metrics.commands.inc({ type, outcome: outcomeOf(error) });
      throw error;
    } finally {
      latency.observe((performance.now() - started) / 1_000);
    }
  };
}

/**
 * Delegates every property to `target` (bound to it, so class instances keep their private state) except
 * the ones `overrides` names. A proxy rather than a copy: a method the port gains later (an optional one
 * especially) is passed through, never silently dropped.
 */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  const bound = new Map<PropertyKey, unknown>(); // a method is bound once, not at every call
  return new Proxy(target, {
    get(object, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      if (bound.has(property)) return bound.get(property);
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(object);
      bound.set(property, method);
      return method;
    },
  });
}

/** The service with each command timed into `nicegold_command_seconds{type}` and counted in `nicegold_commands_total{type,outcome}`; a risk denial counts as outcome `denied`. */
export function instrumentTradingService(service: TradingService, metrics: Metrics): TradingService {
  const t = <A extends unknown[], R>(type: string, run: (...args: A) => Promise<R>, outcome?: (result: R) => string) => timed(metrics, type, run, outcome);
  return overriding<TradingService>(service, {
    openAccount: t('OpenAccount', (ctx, input) => service.openAccount(ctx, input)),
    setRiskLimits: t('SetRiskLimits', (ctx, input) => service.setRiskLimits(ctx, input)),
    deposit: t('Deposit', (ctx, input) => service.deposit(ctx, input)),
    withdraw: t('Withdraw', (ctx, input) => service.withdraw(ctx, input)),
    setTradingState: t('SetTradingState', (ctx, input) => service.setTradingState(ctx, input)),
    placeOrder: t('PlaceOrder', (ctx, input) => service.placeOrder(ctx, input), (result) => (result.accepted ? 'ok' : 'denied')),
    cancelOrder: t('CancelOrder', (ctx, input) => service.cancelOrder(ctx, input)),
    recordFill: t('RecordFill', (ctx, input) => service.recordFill(ctx, input)),
    confirmCancel: t('ConfirmCancel', (ctx, input) => service.confirmCancel(ctx, input)),
    rejectOrder: t('RejectOrder', (ctx, input) => service.rejectOrder(ctx, input)),
    expireOrder: t('ExpireOrder', (ctx, input) => service.expireOrder(ctx, input)),
    engageStop: t('EngageEmergencyStop', (ctx, input) => service.engageStop(ctx, input)),
    requestStopRelease: t('RequestEmergencyStopRelease', (ctx, input) => service.requestStopRelease(ctx, input)),
    approveStopRelease: t('ApproveEmergencyStopRelease', (ctx, input) => service.approveStopRelease(ctx, input)),
  });
}

/** The store with each append timed into `nicegold_event_append_seconds{store}` and its new events counted in `nicegold_events_appended_total{store}`. */
export function instrumentEventStore(store: EventStore, metrics: Metrics, storeName: string): EventStore {
  const latency = metrics.appendLatency.labels({ store: storeName });
  const appended = metrics.eventsAppended.labels({ store: storeName });
  return overriding<EventStore>(store, {
    append: async (streamId, events, expected, options) => {
      const started = performance.now();
      try {
        const result = await store.append(streamId, events, expected, options);
        if (result.written) appended.inc(events.length);
        return result;
      } finally {
        latency.observe((performance.now() - started) / 1_000);
      }
    },
  });
}
