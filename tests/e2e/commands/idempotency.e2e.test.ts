// A client that retries (timeouts, lost answers) must never move money or place an order twice, and
// must get the answer the first attempt got. A key reused for another command is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { newKey, startCommandServer, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

describe.skipIf(skip)(`retried commands over HTTP${postgres.skipReason}${redis.skipReason}`, () => {
  let server: CommandServer;
  let trader: string;
  let admin: string;
  const order = (clientOrderId: string, qty = '0.10') =>
    ({ clientOrderId, symbol: 'XAUUSD', side: 'buy', kind: 'limit', timeInForce: 'GTC', qty, limitPrice: '2399.00' });

  beforeAll(async () => {
    server = await startCommandServer();
    await server.quote('2400.00', '2400.40');
    await server.openAccount('IDEM1');
    trader = await server.token('trader', { accounts: ['IDEM1'] });
    admin = await server.token('admin');
  });
  afterAll(async () => { await server?.close(); });

  it('the same order sent 8 times at once and once more later is placed once; every answer has the same body', async () => {
    const key = newKey();
    const burst = await Promise.all(Array.from({ length: 8 }, () => server.call('POST', '/v1/accounts/IDEM1/orders', order('retry-1'), { token: trader, key })));
    const late = await server.call('POST', '/v1/accounts/IDEM1/orders', order('retry-1'), { token: trader, key });
    const answers = [...burst, late];
    expect(answers.map((a) => a.status)).toEqual(Array(9).fill(201));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(answers[0]!.body).toMatchObject({ commandId: key, orderId: key, accepted: true });

    const events = await server.stream('IDEM1');
    expect(events.filter((e) => e.type === 'OrderPlaced' && e.metadata.commandId === key)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'RiskDecisionRecorded' && e.metadata.commandId === key)).toHaveLength(1);
  });

  it('a repeated deposit credits the account once', async () => {
    const before = (await server.call('GET', '/v1/accounts/IDEM1', undefined, { token: admin })).body.balance;
    const key = newKey();
    const first = await server.call('POST', '/v1/accounts/IDEM1/deposits', { amount: '250.25', reference: 'wire 1' }, { token: admin, key });
    const again = await server.call('POST', '/v1/accounts/IDEM1/deposits', { amount: '250.25', reference: 'wire 1' }, { token: admin, key });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect([first.headers.get('idempotent-replayed'), again.headers.get('idempotent-replayed')]).toEqual(['false', 'true']);
    const after = (await server.call('GET', '/v1/accounts/IDEM1', undefined, { token: admin })).body.balance;
    expect([before, after]).toEqual(['100000.00', '100250.25']);
  });

  it('the commandId in the body works like the header', async () => {
    const commandId = newKey();
    const first = await server.call('POST', '/v1/accounts/IDEM1/orders', { ...order('body-id'), commandId }, { token: trader, key: null });
    const again = await server.call('POST', '/v1/accounts/IDEM1/orders', { ...order('body-id'), commandId }, { token: trader, key: commandId });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
  });

  it('the same key with a different body is refused 409 and writes nothing', async () => {
    const key = newKey();
    expect((await server.call('POST', '/v1/accounts/IDEM1/orders', order('clash-1'), { token: trader, key })).status).toBe(201);
    const head = await server.head();
    const clash = await server.call('POST', '/v1/accounts/IDEM1/orders', order('clash-1', '0.20'), { token: trader, key });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: 'COMMAND.ID_REUSED' });
    const otherCommand = await server.call('POST', '/v1/accounts/IDEM1/deposits', { amount: '1.00' }, { token: admin, key });
    expect(otherCommand.status).toBe(409);
    expect(await server.head()).toBe(head);
  });

  it('a command without an id, or with ids that disagree, is refused 400 before anything is written', async () => {
    const head = await server.head();
    const missing = await server.call('POST', '/v1/accounts/IDEM1/orders', order('no-id'), { token: trader, key: null });
    expect([missing.status, missing.body.code]).toEqual([400, 'COMMAND.ID_REQUIRED']);
    const mismatch = await server.call('POST', '/v1/accounts/IDEM1/orders', { ...order('two-ids'), commandId: newKey() }, { token: trader, key: newKey() });
    expect([mismatch.status, mismatch.body.code]).toEqual([400, 'COMMAND.ID_MISMATCH']);
    const short = await server.call('POST', '/v1/accounts/IDEM1/orders', order('short-id'), { token: trader, key: 'abc' });
    expect([short.status, short.body.code]).toEqual([400, 'REQUEST.INVALID']);
    const badPath = await server.call('POST', `/v1/accounts/${encodeURIComponent('no spaces!')}/deposits`, { amount: '1.00' }, { token: admin, key: newKey() });
    expect([badPath.status, badPath.body.code]).toEqual([400, 'REQUEST.INVALID']);
    expect(await server.head()).toBe(head);
  });
});
