// The read API: GraphQL over the read models, with live subscriptions fed by the live bus.
export { graphqlPlugin, readServices, type GraphqlOptions } from './plugin.ts';
export { typeDefs } from './schema.ts';
export { DEFAULT_LIMITS, LIMIT_CODES, costOf, depthOf, pageSize, queryLimitsRule, type QueryLimits } from './limits.ts';
export { readableAccounts, requireReadableAccount } from './access.ts';
export type { ReadServices } from './context.ts';
