import { hash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAsOf, explainOrder, exportTrail, generateTrailKeys, publicKey, signingKey, streamEvents, verifyTrail } from '../../../commands/compliance/index.ts';
import { presentAccount } from '../../../commands/http/present.ts';
import { canonicalJson, fromJson } from '../../../commands/trading/json.ts';
import type { RecordedEvent } from '../../../domain/ports/event-store.ts';
import { postgresService, redisService } from '../../support/services.ts';
import { LIMITS, officer, trader, tradingFixture, type TradingFixture } from '../trading/trading-fixture.ts';

const postgres = await postgresService();
const redis = await redisService();
const skipReason = postgres.skipReason || redis.skipReason;

const marketBuy = (accountId: string, clientOrderId: string, qty = 10n) =>
  ({ accountId, clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'market', timeInForce: 'GTC', qty }) as const;
const limitBuy = (accountId: string, clientOrderId: string, limitPrice: bigint) =>
  ({ accountId, clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty: 10n, limitPrice }) as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Exports a stream's trail into memory. */
async function trailOf(f: TradingFixture, streamId: string, range: { from?: Date; to?: Date } = {}) {
  const lines: string[] = [];
  const summary = await exportTrail(f.eventStore, { streamId, ...range }, new Date(), (line) => { lines.push(line); });
  return { lines, summary };
}

type Body = Record<string, unknown>;

/**
 * What a forger who knows the format would do: edit the lines' content, number the events and count them
 * again, and rewrite the chain from the first line on.
 */
function forged(lines: readonly string[], edit: (bodies: Body[]) => Body[] = (b) => b): string[] {
  const bodies = edit(lines.map((text) => { const { hash: _h, prev: _p, ...body } = fromJson<Body>(text); return body; }));
  let prev = '';
  let seq = 0;
  return bodies.map((body) => {
    const numbered = body.kind === 'event' ? { ...body, seq: (seq += 1) } : body.kind === 'end' ? { ...body, count: seq } : body;
    const withPrev = { ...numbered, prev };
    prev = hash('sha256', `${prev}\n${canonicalJson(withPrev)}`, 'hex');
    return canonicalJson({ ...withPrev, hash: prev })!;
  });
}


describe.skipIf(!postgres.available || !redis.available)(`compliance: replay, explain, tamper-evident trail, on PostgreSQL${skipReason}`, () => {
  let f: TradingFixture;
  let history: RecordedEvent[];
  let filledOrderId: string;
  let deniedOrderId: string;
  let canceledOrderId: string;

  beforeAll(async () => {
    f = await tradingFixture('compliance');
    await f.tick('XAUUSD', 240_000n, 240_050n);
    await f.openAccount('C1', { maxPositionQty: 15n });
    await sleep(20);
    await f.service.deposit(trader(), { accountId: 'C1', amount: 500_000n, reference: 'wire' });
    await sleep(20);
    filledOrderId = (await f.service.placeOrder(trader(), marketBuy('C1', 'buy-1'))).orderId;
    await f.service.recordFill({ commandId: crypto.randomUUID(), actor: { userId: 'broker', role: 'service' } }, { accountId: 'C1', orderId: filledOrderId, fillId: 'fill-1', qty: 10n, price: 240_050n, fee: 100n });
    await sleep(20);
    // Limits move on after the next order: its explanation must show the version it was judged on.
    deniedOrderId = (await f.service.placeOrder(trader(), marketBuy('C1', 'too-big', 6n))).orderId;
    await f.service.setRiskLimits(await f.withCode(officer('officer-2')), { accountId: 'C1', limits: { ...LIMITS, maxPositionQty: 100n }, reason: 'desk grew' });
    canceledOrderId = (await f.service.placeOrder(trader(), limitBuy('C1', 'resting', 239_000n))).orderId;
    await f.service.cancelOrder(trader(), { accountId: 'C1', orderId: canceledOrderId, reason: 'changed my mind' });
    history = await f.eventStore.readStream('account-C1');
  });
  afterAll(async () => f?.close());

  const recordedAtOf = (type: string) => history.find((e) => e.type === type)!.recordedAt;

  it('replays the account as the ledger knew it at each instant', async () => {
    const afterDeposit = await accountAsOf(f.eventStore, 'C1', recordedAtOf('FundsDeposited'));
    expect(afterDeposit.view).toMatchObject({ balance: 10_500_000n, workingOrders: [], positions: [] });
    expect(afterDeposit.events + afterDeposit.laterEvents).toBe(history.length);

    const afterFill = await accountAsOf(f.eventStore, 'C1', recordedAtOf('OrderFilled'));
    expect(afterFill.view.positions).toEqual([expect.objectContaining({ symbol: 'XAUUSD', qty: 10n })]);
    expect(afterFill.view.balance).toBe(10_500_000n - 100n); // the fee
    expect(afterFill.view.limitsVersion).toBe(1);
    expect(afterFill.revision).toBe(history.find((e) => e.type === 'OrderFilled')!.revision);
  });

  it('replays up to now the same account the live service shows', async () => {
    const now = new Date();
    const live = await f.newService({ clock: () => now }).account('C1');
    const replayed = await accountAsOf(f.eventStore, 'C1', now);
    expect(replayed.laterEvents).toBe(0);
    expect(presentAccount(replayed.view)).toEqual(presentAccount(live!));
  });

  it('says when the account did not exist yet, or at all', async () => {
    await expect(accountAsOf(f.eventStore, 'C1', new Date(history[0]!.recordedAt.getTime() - 1))).rejects.toMatchObject({ code: 'AUDIT.NOT_OPEN_AT' });
    await expect(accountAsOf(f.eventStore, 'nobody', new Date())).rejects.toMatchObject({ code: 'ACCOUNT.NOT_FOUND' });
  });

  it('explains a denial with every check, the limits in force then and who set them', async () => {
    const explained = await explainOrder(f.eventStore, 'C1', deniedOrderId);
    expect(explained.decision).toMatchObject({ accepted: false, reasons: ['RISK.POSITION_LIMIT'] });
    expect(explained.decision!.checks.find((c) => c.name === 'RISK.POSITION_LIMIT')).toMatchObject({ passed: false, observed: '16', limit: '15' });
    expect(explained.context).toMatchObject({ limitsVersion: 1, positionQty: 10n, limitsSet: { by: { userId: 'officer-1', role: 'risk_officer' } } });
    expect(explained.status).toBe('denied');
    expect(explained.steps.map((s) => s.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderDenied']);
    expect(explained.steps[0]).toMatchObject({ actor: { userId: 'trader-1', role: 'trader' }, data: { clientOrderId: 'too-big' } });
  });

  it('explains an accepted order through its cancel request, on the limits version after the change', async () => {
    const explained = await explainOrder(f.eventStore, 'C1', canceledOrderId);
    expect(explained.decision?.accepted).toBe(true);
    expect(explained.context).toMatchObject({ limitsVersion: 2, limitsSet: { by: { userId: 'officer-2' }, reason: 'desk grew' } });
    expect(explained.steps.map((s) => s.type)).toEqual(['OrderPlaced', 'RiskDecisionRecorded', 'OrderAccepted', 'OrderCancelRequested']);
    expect(explained.status).toBe('pending_cancel');
    expect((await explainOrder(f.eventStore, 'C1', filledOrderId)).steps.at(-1)).toMatchObject({ type: 'OrderFilled', actor: { userId: 'broker' } });
    await expect(explainOrder(f.eventStore, 'C1', 'no-such-order')).rejects.toMatchObject({ code: 'ORDER.UNKNOWN' });
  });

  it('exports a trail that verifies, matches the ledger and ends on the hash the export printed', async () => {
    const { lines, summary } = await trailOf(f, 'account-C1');
    expect(summary.events).toBe(history.length);
    expect(lines).toHaveLength(history.length + 2);
    const verified = await verifyTrail(lines);
    expect(verified).toMatchObject({ ok: true, events: history.length, finalHash: summary.finalHash, header: { streamId: 'account-C1' } });
    expect(await verifyTrail(lines, { against: f.eventStore })).toMatchObject({ ok: true });
    const filled = fromJson<{ event: { data: { qty: bigint; price: bigint } } }>(lines.find((l) => l.includes('"type":"OrderFilled"'))!);
    expect(filled.event.data).toMatchObject({ qty: 10n, price: 240_050n }); // integers, exactly as recorded
  });

  it('names the first line that was changed, removed, reordered or cut off', async () => {
    const { lines } = await trailOf(f, 'account-C1');
    const fillLine = lines.findIndex((l) => l.includes('"type":"OrderFilled"'));
    const changed = lines.map((l, i) => (i === fillLine ? l.replace('"price":{"$bigint":"240050"}', '"price":{"$bigint":"240000"}') : l));
    expect(changed[fillLine]).not.toBe(lines[fillLine]);
    expect(await verifyTrail(changed)).toMatchObject({ ok: false, line: fillLine + 1, reason: expect.stringContaining('changed') });
    expect(await verifyTrail(lines.filter((_, i) => i !== 3))).toMatchObject({ ok: false, line: 4, reason: expect.stringContaining('removed') });
    expect(await verifyTrail([lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)])).toMatchObject({ ok: false, line: 2 });
    expect(await verifyTrail(lines.slice(0, -1))).toMatchObject({ ok: false, line: lines.length - 1, reason: expect.stringContaining('cut short') });
    expect(await verifyTrail([...lines, lines.at(-1)!])).toMatchObject({ ok: false });
    expect(await verifyTrail(['not json', ...lines.slice(1)])).toMatchObject({ ok: false, line: 1 });
  });

  it('refuses a line that reads one way to a person and another to a parser, or says more than the export wrote', async () => {
    const { lines } = await trailOf(f, 'account-C1');
    const fillLine = lines.findIndex((l) => l.includes('"type":"OrderFilled"'));
    // JSON.parse keeps the last of two members of one name: the chain still holds for the parsed line.
    const twoFees = lines.map((l, i) => (i === fillLine ? l.replace('"fee":{"$bigint":"100"}', '"fee":{"$bigint":"0"},"fee":{"$bigint":"100"}') : l));
    expect(await verifyTrail(twoFees)).toMatchObject({ ok: false, line: fillLine + 1, reason: expect.stringContaining('canonical') });
    const hexPrice = lines.map((l, i) => (i === fillLine ? l.replace('"price":{"$bigint":"240050"}', '"price":{"$bigint":"0x3A9B2"}') : l));
    expect(await verifyTrail(hexPrice)).toMatchObject({ ok: false, line: fillLine + 1 });
    expect(await verifyTrail(lines.map((l, i) => (i === fillLine ? l.replace('{', '{ ') : l)))).toMatchObject({ ok: false, line: fillLine + 1 });
    const annotated = forged(lines, (bodies) => bodies.map((b, i) => (i === fillLine ? { ...b, correction: { fee: 0n, approvedBy: 'cfo' } } : b)));
    expect(await verifyTrail(annotated)).toMatchObject({ ok: false, line: fillLine + 1, reason: expect.stringContaining('members') });
    const vagueRange = forged(lines, (bodies) => bodies.map((b) => (b.kind === 'header' ? { ...b, from: 'garbage' } : b)));
    expect(await verifyTrail(vagueRange)).toMatchObject({ ok: false, line: 1, reason: expect.stringContaining('from / to') });
  });

  it('catches a chain rewritten end to end by its final hash and by the ledger', async () => {
    const { lines, summary } = await trailOf(f, 'account-C1');
    const fillLine = lines.findIndex((l) => l.includes('"type":"OrderFilled"'));
    const noFee = forged(lines.map((l, i) => (i === fillLine ? l.replace('"fee":{"$bigint":"100"}', '"fee":{"$bigint":"0"}') : l)));
    expect(noFee[fillLine]).toContain('"fee":{"$bigint":"0"}');
    const verified = await verifyTrail(noFee);
    expect(verified.ok).toBe(true); // a consistent chain on its own...
    expect(verified.ok && verified.finalHash).not.toBe(summary.finalHash); // ...but not the one the export printed
    expect(await verifyTrail(noFee, { against: f.eventStore })).toMatchObject({ ok: false, ledger: true, line: fillLine + 1 });
    expect(forged(lines)).toEqual(lines); // the forger's chaining is the format's: only the content differs

    const withoutDeposit = forged(lines, (bodies) => bodies.filter((b) => (b.event as { type?: string } | undefined)?.type !== 'FundsDeposited'));
    expect(withoutDeposit).toHaveLength(lines.length - 1);
    expect(await verifyTrail(withoutDeposit, { against: f.eventStore })).toMatchObject({ ok: false, ledger: true, reason: expect.stringContaining('differs') });
    const withoutLast = forged(lines, (bodies) => [...bodies.slice(0, -2), bodies.at(-1)!]);
    expect(await verifyTrail(withoutLast, { against: f.eventStore })).toMatchObject({ ok: false, ledger: true, reason: expect.stringContaining('more events') });
  });

  it('signs a trail: valid with the desk key, refused when re-chained, signed by another key, or stripped of its signature', async () => {
    const desk = generateTrailKeys();
    const other = generateTrailKeys();
    const lines: string[] = [];
    await exportTrail(f.eventStore, { streamId: 'account-C1' }, new Date(), (line) => { lines.push(line); }, undefined, signingKey(desk.privatePem));
    const keys = [publicKey(desk.publicPem)];
    expect(await verifyTrail(lines, { keys, against: f.eventStore })).toMatchObject({ ok: true, signature: { state: 'valid', keyId: desk.keyId } });
    expect(await verifyTrail(lines)).toMatchObject({ ok: true, signature: { state: 'unchecked', keyId: desk.keyId } });
    // a forger rewrites a fill's fee and re-chains every line: the chain holds, the signature does not
    const fillLine = lines.findIndex((l) => l.includes('"type":"OrderFilled"'));
    const rechained = forged(lines.map((l, i) => (i === fillLine ? l.replace('"fee":{"$bigint":"100"}', '"fee":{"$bigint":"0"}') : l)));
    expect((await verifyTrail(rechained)).ok).toBe(true);
    expect(await verifyTrail(rechained, { keys })).toMatchObject({ ok: false, line: lines.length, reason: expect.stringContaining('does not verify') });
    // ... or strips the signature: an unsigned trail is reported as such, never as valid
    const stripped = forged(rechained, (bodies) => bodies.map((b) => (b.kind === 'header' ? { ...b, keyId: null } : b.kind === 'end' ? { ...b, signature: null } : b)));
    expect(await verifyTrail(stripped)).toMatchObject({ ok: true, signature: { state: 'unsigned' } });
    expect(await verifyTrail(stripped, { keys })).toMatchObject({ ok: false, reason: expect.stringContaining('UNSIGNED') });
    // ... or signs the forgery with a key of its own: not the desk's
    const own: string[] = [];
    await exportTrail(f.eventStore, { streamId: 'account-C1' }, new Date(), (line) => { own.push(line); }, undefined, signingKey(other.privatePem));
    expect(await verifyTrail(own, { keys })).toMatchObject({ ok: false, reason: expect.stringContaining(`signed by key ${other.keyId}, which is not among`) });
    // a key set holding both verifies it; and a public key is no signing key
    expect(await verifyTrail(own, { keys: [...keys, publicKey(other.publicPem)] })).toMatchObject({ ok: true, signature: { state: 'valid', keyId: other.keyId } });
    expect(() => signingKey(desk.publicPem)).toThrow(/not a PEM key|Ed25519/);
  });

  it('still verifies a version 1 trail (exported before signing), as unsigned', async () => {
    const { lines } = await trailOf(f, 'account-C1');
    const v1 = forged(lines, (bodies) => bodies.map((b) => {
      if (b.kind === 'header') { const { keyId: _k, ...rest } = b; return { ...rest, version: 1 }; }
      if (b.kind === 'end') { const { signature: _s, ...rest } = b; return rest; }
      return b;
    }));
    expect(await verifyTrail(v1, { against: f.eventStore })).toMatchObject({ ok: true, signature: { state: 'unsigned' } });
    expect(await verifyTrail(v1, { keys: [publicKey(generateTrailKeys().publicPem)] })).toMatchObject({ ok: false, reason: expect.stringContaining('UNSIGNED') });
  });

  it('exports only the events recorded within a time range, and checks them against the same range', async () => {
    const from = recordedAtOf('FundsDeposited');
    const to = recordedAtOf('OrderFilled');
    const { lines } = await trailOf(f, 'account-C1', { from, to });
    const expected = history.filter((e) => e.recordedAt >= from && e.recordedAt <= to);
    const verified = await verifyTrail(lines);
    expect(verified).toMatchObject({ ok: true, events: expected.length });
    expect(expected.length).toBeGreaterThan(1);
    expect(expected.length).toBeLessThan(history.length);
    expect(await verifyTrail(lines, { against: f.eventStore })).toMatchObject({ ok: true });
    const widened = forged(lines, (bodies) => bodies.map((b) => (b.kind === 'header' ? { ...b, from: null } : b)));
    expect(await verifyTrail(widened, { against: f.eventStore })).toMatchObject({ ok: false, ledger: true, line: 2, reason: expect.stringContaining('differs') });
  });

  it('reads a long stream page by page, telling how far it has got, and chains every event of it', async () => {
    const streamId = 'audit-long-1';
    for (let batch = 0; batch < 3; batch += 1) {
      const events = Array.from({ length: 500 }, (_, i) => ({ eventId: crypto.randomUUID(), type: 'Noted', data: { n: BigInt(batch * 500 + i) } }));
      await f.eventStore.append(streamId, events, 'any');
    }
    const progress: number[] = [];
    let read = 0;
    for await (const event of streamEvents(f.eventStore, streamId, (n) => progress.push(n))) {
      expect(event.data.n).toBe(BigInt(read));
      read += 1;
    }
    expect(read).toBe(1_500);
    expect(progress).toEqual([1_000]);
    const { lines, summary } = await trailOf(f, streamId);
    expect(await verifyTrail(lines)).toMatchObject({ ok: true, events: 1_500, finalHash: summary.finalHash });
    expect(await verifyTrail(lines, { against: f.eventStore })).toMatchObject({ ok: true });
  });

  it('still matches the ledger after the stream has grown: a trail covers the stream as it was when exported', async () => {
    await f.openAccount('C2');
    const { lines, summary } = await trailOf(f, 'account-C2');
    expect(lines[0]).toContain('"throughRevision":"1"');
    await f.service.deposit(trader(), { accountId: 'C2', amount: 1_000n });
    expect(await verifyTrail(lines, { against: f.eventStore })).toMatchObject({ ok: true, events: 2, finalHash: summary.finalHash });
    const empty = await trailOf(f, 'account-nobody');
    expect(empty.lines[0]).toContain('"throughRevision":null');
    expect(await verifyTrail(empty.lines, { against: f.eventStore })).toMatchObject({ ok: true, events: 0 });
    expect((await verifyTrail([...lines.slice(0, -1), lines.at(-1)!, lines.at(-1)!]))).toMatchObject({ ok: false, reason: 'lines follow the end line' });
  });
});
