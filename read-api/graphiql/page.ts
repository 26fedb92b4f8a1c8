// GraphiQL at /graphiql, served whole by the ledger: the page, React, ReactDOM, GraphiQL and graphql-ws
// come from the installed packages (versions pinned in package.json, named in each asset's URL), the
// glue is static/desk-graphiql.js. Nothing is fetched from a CDN, so the page works offline and under
// the own-origin Content-Security-Policy that infra/http puts on every HTML page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

interface Asset {
  readonly url: string;
  readonly type: string;
  readonly body: Buffer;
  /** Package assets are immutable under a versioned URL; our own glue is revalidated. */
  readonly cacheControl: string;
}

const require = createRequire(import.meta.url);
const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'static');
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The directory and version of an installed package (its package.json is not always exported). */
function installed(name: string): { dir: string; version: string } {
  const entry = require.resolve(name);
  const marker = `${path.join('node_modules', name)}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot find the installed package ${name} (resolved to ${entry})`);
  const dir = entry.slice(0, at + marker.length - 1);
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

function packageAsset(name: string, file: string, type: string): Asset {
  const { dir, version } = installed(name);
  return { url: `/graphiql/assets/${name}@${version}/${path.basename(file)}`, type, body: readFileSync(path.join(dir, file)), cacheControl: 'public, max-age=31536000, immutable' };
}

function ownAsset(file: string, type: string): Asset {
  return { url: `/graphiql/assets/${file}`, type, body: readFileSync(path.join(STATIC_DIR, file)), cacheControl: 'no-cache' };
}

/** Read once at registration: a missing package fails the start, not the first page view. */
export function graphiqlAssets(): readonly Asset[] {
  return [
    packageAsset('graphiql', 'graphiql.min.css', CSS),
    ownAsset('desk-graphiql.css', CSS),
    packageAsset('react', 'umd/react.production.min.js', JS),
    packageAsset('react-dom', 'umd/react-dom.production.min.js', JS),
    packageAsset('graphiql', 'graphiql.min.js', JS),
    packageAsset('graphql-ws', 'umd/graphql-ws.min.js', JS),
    ownAsset('desk-graphiql.js', JS),
  ];
}

function pageHtml(assets: readonly Asset[]): string {
  const styles = assets.filter((a) => a.type === CSS).map((a) => `  <link rel="stylesheet" href="${a.url}">`);
  const scripts = assets.filter((a) => a.type === JS).map((a) => `  <script src="${a.url}" defer></script>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '  <meta charset="utf-8">',
    '  <meta name="robots" content="noindex">',
    '  <meta name="viewport" content="width=device-width, initial-scale=1">',
    '  <title>NICEGOLD Ledger GraphiQL</title>',
    ...styles,
    ...scripts,
    '</head>',
    '<body>',
    '  <form id="token-form" autocomplete="off">',
    '    <label for="token">Bearer token</label>',
    '    <input id="token" name="token" type="password" placeholder="npx nicegold token --role analyst" spellcheck="false">',
    '    <button type="submit">Use token</button>',
    '    <span id="token-status" role="status"></span>',
    '  </form>',
    '  <div id="graphiql"></div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export const graphiqlPage: FastifyPluginAsync = async (app) => {
  const assets = graphiqlAssets();
  const html = pageHtml(assets);
  app.get('/graphiql', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html));
  for (const asset of assets) {
    app.get(asset.url, async (_request, reply) => reply.type(asset.type).header('cache-control', asset.cacheControl).header('x-content-type-options', 'nosniff').send(asset.body));
  }
};
