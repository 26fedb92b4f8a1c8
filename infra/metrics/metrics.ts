// One prom-client registry per running ledger (tests start several in one process). Modules register
// their instruments here and nowhere else, so names stay consistent. The dashboards (deploy/grafana) and
// alert rules (deploy/prometheus) name these metrics; tests/e2e/deploy checks a running ledger exports
// every one they name.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly appendLatency: Histogram<'store'>;
  readonly eventsAppended: Counter<'store'>;
  readonly commands: Counter<'type' | 'outcome'>;
  readonly commandLatency: Histogram<'type'>;
  readonly httpLatency: Histogram<'method' | 'route' | 'status'>;
  readonly projectionLagEvents: Gauge<'projection'>;
  readonly projectionLagSeconds: Gauge<'projection'>;
  readonly ticksIngested: Counter<'source' | 'outcome'>;
  readonly graphqlLatency: Histogram<'operation'>;
  readonly modelFeatureDrift: Gauge<'model' | 'version' | 'feature'>;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'nicegold_' });
  const registers = [registry];
  return {
    registry,
    appendLatency: new Histogram({ name: 'nicegold_event_append_seconds', help: 'Event store append latency', labelNames: ['store'], buckets: LATENCY_BUCKETS, registers }),
    eventsAppended: new Counter({ name: 'nicegold_events_appended_total', help: 'Events this process appended to the event store', labelNames: ['store'], registers }),
    commands: new Counter({ name: 'nicegold_commands_total', help: 'Commands handled, by type and outcome (ok, or the error code)', labelNames: ['type', 'outcome'], registers }),
    commandLatency: new Histogram({ name: 'nicegold_command_seconds', help: 'Command handling latency', labelNames: ['type'], buckets: LATENCY_BUCKETS, registers }),
    httpLatency: new Histogram({ name: 'nicegold_http_request_seconds', help: 'HTTP request latency, by method, route pattern and status code', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers }),
    projectionLagEvents: new Gauge({ name: 'nicegold_projection_lag_events', help: 'Events between a projection checkpoint and the head', labelNames: ['projection'], registers }),
    projectionLagSeconds: new Gauge({ name: 'nicegold_projection_lag_seconds', help: 'Age of the newest event a projection has not applied', labelNames: ['projection'], registers }),
    ticksIngested: new Counter({ name: 'nicegold_ticks_total', help: 'Ticks ingested, by source and outcome', labelNames: ['source', 'outcome'], registers }),
    modelFeatureDrift: new Gauge({ name: 'nicegold_model_feature_psi', help: 'Population stability index of a live feature against its training reference', labelNames: ['model', 'version', 'feature'], registers }),
    graphqlLatency: new Histogram({ name: 'nicegold_graphql_seconds', help: 'GraphQL request latency', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers }),
  };
}
