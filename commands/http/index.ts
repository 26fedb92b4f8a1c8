// The command HTTP API: a fastify plugin over the trading service.
export { DEFAULT_RATE_LIMIT_PER_SECOND, commandApiPlugin, type CommandApiOptions } from './plugin.ts';
export { ACCESS, type Access } from './access.ts';
