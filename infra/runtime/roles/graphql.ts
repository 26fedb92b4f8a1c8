// Role `api`, GraphQL part: the read API over the read models, its live bus (NATS when NATS_URL is set,
// in-process otherwise) and the live publisher that feeds the bus from the log. Several api instances
// may run: one publishes (lease in the key-value store), every one streams to its own subscribers. The
// audit API (accountAsOf, explainOrder, auditTrail, GET /audit/trail) reads the event store through the audit port.
import { createAuditReader, signingKey } from '../../../commands/compliance/index.ts';
import { graphqlPlugin } from '../../../read-api/index.ts';
import { createTokenVerifier } from '../../auth/index.ts';
import { connectNatsLiveBus, createMemoryLiveBus, startLivePublisher } from '../../bus/index.ts';
import { registerRole } from '../roles.ts';

registerRole('api', async ({ config, logger, metrics, backends }) => {
  const log = logger.child({ role: 'api', part: 'graphql' });
  const bus = config.natsUrl ? await connectNatsLiveBus({ servers: config.natsUrl, name: 'nicegold-api-live' }) : createMemoryLiveBus();
  const publisher = startLivePublisher({ eventStore: backends.eventStore, bus, keyValue: backends.keyValue, logger: log.child({ process: 'live-publisher' }) });
  const plugin = graphqlPlugin({
    sql: backends.sql,
    keyValue: backends.keyValue,
    bus,
    verifyToken: createTokenVerifier(config.jwt),
    metrics,
    graphiql: config.graphiql,
    rateLimitPerSecond: config.rateLimitPerSecond,
    // the read side's one way to the event store: compliance's questions, each recorded as it is asked;
    // its trails signed with AUDIT_SIGN_KEY when that is set
    audit: createAuditReader({
      eventStore: backends.eventStore,
      ...(config.auditSignKey === undefined ? {} : { signer: signingKey(config.auditSignKey) }),
    }),
  });
  log.info({ bus: config.natsUrl ? 'nats' : 'in-process', graphiql: config.graphiql, auditTrails: config.auditSignKey === undefined ? 'unsigned' : 'signed' }, 'GraphQL at /graphql');
  return {
    plugins: [plugin],
    async stop() {
      await publisher.stop();
      await bus.close();
    },
  };
});
