// The write side of trading: the service every entry point calls, and the processes that react to the log.
export type * from './service.ts';
export { accountViewOf, createTradingService, type TradingServiceDeps } from './trading-service.ts';
export { CommandIdReused, COMMAND_RECORD_TTL_MS, createCommandRecords, type CommandRecords } from './idempotency.ts';
export { instrumentRegistry, factsOfSpec, type InstrumentRegistry } from './instruments.ts';
export { ControlReader } from './control-reader.ts';
export { warmAccountStates, type WarmUpOptions, type WarmUpResult } from './warm-up.ts';
export { StopSweep, STOP_SWEEP_ACTOR, type StopSweepDeps } from './stop-sweep.ts';
export { PaperBroker, type PaperBrokerOptions, type PaperBrokerSnapshot } from './paper-broker.ts';
export { BrokerReactor, BROKER_ACTOR, type BrokerReactorDeps } from './broker-reactor.ts';
export type { ReactorLogger } from './reactor.ts';
