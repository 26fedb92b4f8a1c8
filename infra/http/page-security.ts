// Every HTML page the ledger serves (GraphiQL at /graphiql, the API docs at /docs) loads its scripts,
// styles, fonts and images from the ledger itself and talks to nothing but the ledger: the desk's pages
// work offline and hand nothing to third parties. The browser enforces that through this policy.
import type { FastifyInstance } from 'fastify';

/**
 * swagger-ui's top-bar logo is an SVG carrying one <style> element
 * (`.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}`, swagger-ui-standalone-preset.js);
 * this hash allows exactly that element and no other inline style.
 */
const SWAGGER_UI_LOGO_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * Own origin only. No 'unsafe-inline' and no 'unsafe-eval': our pages carry no inline script or style
 * element (bar the logo's, by hash), and the bundles served (react, react-dom, graphiql, graphql-ws, swagger-ui) never evaluate
 * strings (their one `new Function` is webpack's globalThis fallback, unreachable in a browser that has
 * globalThis). `data:` images and fonts are inlined in graphiql's and swagger-ui's CSS; they are part of
 * the stylesheet, not a request to anyone. connect-src 'self' covers ws:// to the same host (graphql-ws).
 */
export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${SWAGGER_UI_LOGO_STYLE}`,
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PAGE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Puts the page headers on every HTML answer of `app` and its plugins, whoever renders the page. */
export function securePages(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) void reply.headers(PAGE_HEADERS);
    done(null, payload);
  });
}
