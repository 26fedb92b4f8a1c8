// GraphiQL's page and assets come from the ledger at the pinned versions, under the own-origin CSP.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { PAGE_CONTENT_SECURITY_POLICY, securePages } from '../../../infra/http/page-security.ts';
import { graphiqlPage } from '../../../read-api/graphiql/page.ts';

const pinned = (JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies;

async function givenGraphiqlApp() {
  const app = Fastify();
  securePages(app);
  await app.register(graphiqlPage);
  return app;
}

describe('the GraphiQL page', () => {
  it('is HTML under the own-origin CSP, with no inline script and every asset on our origin', async () => {
    const app = await givenGraphiqlApp();
    const page = await app.inject('/graphiql');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(PAGE_CONTENT_SECURITY_POLICY);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(PAGE_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(PAGE_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(PAGE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
    expect(page.body).not.toMatch(/<script>|<script(?![^>]*\ssrc=)|<style|style=/);
    const urls = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBe(7);
    for (const url of urls) {
      expect(url.startsWith('/graphiql/assets/')).toBe(true);
      const asset = await app.inject(url);
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-security-policy']).toBeUndefined();
    }
    await app.close();
  });

  it('names the pinned versions of react, react-dom and graphiql in its asset URLs', async () => {
    const app = await givenGraphiqlApp();
    const { body } = await app.inject('/graphiql');
    for (const name of ['react', 'react-dom', 'graphiql']) {
      expect(pinned[name]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(body).toContain(`/graphiql/assets/${name}@${pinned[name]}/`);
    }
    await app.close();
  });

  it('leaves JSON answers without the page policy', async () => {
    const app = Fastify();
    securePages(app);
    app.get('/healthz', async () => ({ status: 'ok' }));
    expect((await app.inject('/healthz')).headers['content-security-policy']).toBeUndefined();
    await app.close();
  });
});
