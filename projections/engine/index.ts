export type { Projection, ProjectionMigration, ProjectionTarget, ReadModelSql, SqlExecutor, SqlFeatures } from './types.ts';
export { startProjector, type ProjectorOptions, type RunningProjector, type LagGauge } from './projector.ts';
export { rebuildProjections, shadowSchemaOf, RebuildInterrupted, type RebuildOptions, type RebuildResult } from './rebuild.ts';
export { storeLagProbe, DEFAULT_LAG_BOUND, type Lag, type LagProbe } from './lag.ts';
export { formatProgress, progressBar, etaSeconds, eventsPerSecond, type RebuildProgress } from './progress.ts';
export { ensureEngineTables, detectFeatures, migrateProjection, READ_SCHEMA } from './schema.ts';
export { loadCheckpoint, CheckpointMoved, SWAP_REQUEST_TTL_SECONDS } from './checkpoint.ts';
export type { ProjectorLogger, WorkerState } from './worker.ts';
