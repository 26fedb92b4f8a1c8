// The second factor over HTTP, as a risk officer and an admin meet it: enrolment hands out the secret once,
// changing limits and approving a global stop release need a fresh code of the acting user (401 without,
// wrong or spent, 403 once locked), a code spent on one process is spent on every process of the ledger,
// and only another admin lifts a lock-out. Codes are computed as an authenticator app computes them; the
// servers' second factor runs on a test clock the authenticators move (no waiting for real 30 s steps).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresService, redisService } from '../../support/services.ts';
import { base32Decode } from '../../../commands/mfa/totp.ts';
import { startCommandServer, WIDE_LIMITS, type CommandServer } from './command-server.ts';

const [postgres, redis] = await Promise.all([postgresService(), redisService()]);
const skip = !postgres.available || !redis.available;

/** Another code than the one given: wrong for every step of the window but by a one-in-a-million chance. */
const wrong = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

describe.skipIf(skip)(`second factor over HTTP${postgres.skipReason}${redis.skipReason}`, () => {
  let a: CommandServer;
  let b: CommandServer;
  const t: Record<'officer0' | 'officer1' | 'officer2' | 'officer3' | 'admin1' | 'admin2' | 'trader', string> = { officer0: '', officer1: '', officer2: '', officer3: '', admin1: '', admin2: '', trader: '' };

  beforeAll(async () => {
    a = await startCommandServer();
    b = await startCommandServer({ sameLedgerAs: a }); // a second process on the same event store, with its own caches and Redis keys
    t.officer0 = await a.token('risk_officer', { userId: 'officer-0' });
    t.officer1 = await a.token('risk_officer', { userId: 'officer-1' });
    t.officer2 = await a.token('risk_officer', { userId: 'officer-2' });
    t.officer3 = await a.token('risk_officer', { userId: 'officer-3' });
    t.admin1 = await a.token('admin', { userId: 'admin-1' });
    t.admin2 = await a.token('admin', { userId: 'admin-2' });
    t.trader = await a.token('trader', { userId: 'trader-1', accounts: ['M1'] });
    await a.quote('2400.00', '2400.40');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const limits = (maxPositionQty: string, o: { token: string; totp?: string; key?: string }) =>
    a.call('PUT', '/v1/accounts/M1/limits', { limits: { ...WIDE_LIMITS, maxPositionQty } }, o);
  const limitsVersion = async (server = a) => (await server.call('GET', '/v1/accounts/M1', undefined, { token: t.admin1 })).body.limitsVersion;
  const mfaEvents = async (userId: string) => (await a.eventStore.readStream(`mfa-${userId}`)).map((e) => e.type);

  it('enrolment shows the secret once, records it encrypted, and is refused a second time and to a trader', async () => {
    const enrolled = await a.call('POST', '/v1/mfa/enrolment', undefined, { token: t.officer0 });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(201);
    expect(enrolled.headers.get('cache-control')).toBe('no-store');
    const { secret, otpauthUri } = enrolled.body as { secret: string; otpauthUri: string };
    expect(otpauthUri).toBe(`otpauth://totp/NICEGOLD%20Ledger:officer-0?secret=${secret}&issuer=NICEGOLD%20Ledger&algorithm=SHA1&digits=6&period=30`);
    expect(base32Decode(secret)).toHaveLength(20);
    const recorded = JSON.stringify((await a.eventStore.readStream('mfa-officer-0')).map((e) => ({ type: e.type, data: e.data })));
    expect(recorded).toContain('MfaEnrolled');
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain(base32Decode(secret).toString('base64'));
    expect(recorded).not.toContain(base32Decode(secret).toString('hex'));

    const again = await b.call('POST', '/v1/mfa/enrolment', undefined, { token: t.officer0 });
    expect([again.status, again.body.code]).toEqual([409, 'MFA.ALREADY_ENROLLED']);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    const byTrader = await a.call('POST', '/v1/mfa/enrolment', undefined, { token: t.trader });
    expect([byTrader.status, byTrader.body.code]).toEqual([403, 'AUTH.FORBIDDEN_ROLE']);
  });

  it('an account\'s first limits need no code; changing them needs a fresh code of the officer, once', async () => {
    await a.openAccount('M1'); // opened by the admin, first limits by a risk officer without a code
    expect(await limitsVersion()).toBe(1);
    const head = await a.head();

    const none = await limits('0.50', { token: t.officer2 });
    expect([none.status, none.body.code]).toEqual([401, 'MFA.REQUIRED']);
    const notEnrolled = await limits('0.50', { token: t.officer2, totp: '123456' });
    expect([notEnrolled.status, notEnrolled.body.code]).toEqual([403, 'MFA.NOT_ENROLLED']);
    const malformed = await limits('0.50', { token: t.officer1, totp: '12345' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'REQUEST.INVALID']);
    const badContent = await limits('1000000.01', { token: t.officer1 });
    expect([badContent.status, badContent.body.code], 'a change refused for its content says so, and spends no code').toEqual([400, 'RISK_LIMITS.INVALID']);
    expect(await a.head(), 'nothing was written').toBe(head);

    const device = await a.authenticator(t.officer1);
    const code = await device.nextCode();
    const wrongOne = await limits('0.50', { token: t.officer1, totp: wrong(code) });
    expect([wrongOne.status, wrongOne.body.code, wrongOne.body.details]).toEqual([401, 'MFA.INVALID_CODE', { userId: 'officer-1', failures: 1, failuresLeft: 4 }]);
    expect(await limitsVersion()).toBe(1);

    const key = 'limits-change-m1-1';
    const changed = await limits('0.50', { token: t.officer1, totp: code, key });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await limitsVersion()).toBe(2);
    const retried = await limits('0.50', { token: t.officer1, key }); // the same command again: its answer, no code needed, nothing applied
    expect([retried.status, retried.headers.get('idempotent-replayed')]).toEqual([200, 'true']);

    const replayed = await limits('0.60', { token: t.officer1, totp: code });
    expect([replayed.status, replayed.body.code]).toEqual([401, 'MFA.CODE_REUSED']);
    expect(await limitsVersion()).toBe(2);
    expect(await mfaEvents('officer-1')).toEqual(['MfaEnrolled', 'MfaCodeFailed', 'MfaCodeVerified', 'MfaCodeFailed']);
    const verified = (await a.eventStore.readStream('mfa-officer-1'))[2]!;
    expect(verified.data, 'the check names the command it let through').toMatchObject({ purpose: { command: 'SetRiskLimits', commandId: key, streamId: 'account-M1' } });
  });

  it('a code spent on one process is refused on the other process of the ledger', async () => {
    const code = await a.code(t.officer1);
    expect((await a.call('PUT', '/v1/accounts/M1/limits', { limits: { ...WIDE_LIMITS, maxPositionQty: '0.70' } }, { token: t.officer1, totp: code })).status).toBe(200);
    const onB = await b.call('PUT', '/v1/accounts/M1/limits', { limits: { ...WIDE_LIMITS, maxPositionQty: '0.80' } }, { token: t.officer1, totp: code });
    expect([onB.status, onB.body.code]).toEqual([401, 'MFA.CODE_REUSED']);
    expect(await limitsVersion(b)).toBe(3);
    const fresh = await b.call('PUT', '/v1/accounts/M1/limits', { limits: { ...WIDE_LIMITS, maxPositionQty: '0.80' } }, { token: t.officer1, totp: await b.code(t.officer1) });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(200);
    expect(await limitsVersion(a)).toBe(4);
  });

  it('the approver of a global stop release sends their code; without it the stop stays engaged', async () => {
    const scope = { kind: 'global' };
    expect((await a.call('POST', '/v1/stops/engage', { scope, reason: 'drill' }, { token: t.officer1 })).status).toBe(200);
    expect((await a.call('POST', '/v1/stops/release-requests', { scope, reason: 'drill over' }, { token: t.officer1 })).status).toBe(200);
    const without = await b.call('POST', '/v1/stops/release-approvals', { scope, reason: 'agreed' }, { token: t.officer2 });
    expect([without.status, without.body.code]).toEqual([401, 'MFA.REQUIRED']);
    const wrongOne = await b.call('POST', '/v1/stops/release-approvals', { scope, reason: 'agreed' }, { token: t.officer2, totp: wrong(await b.code(t.officer2)) });
    expect([wrongOne.status, wrongOne.body.code]).toEqual([401, 'MFA.INVALID_CODE']);
    expect((await a.call('GET', '/v1/stops?kind=global', undefined, { token: t.admin1 })).body.engaged).toBe(true);
    const approved = await b.call('POST', '/v1/stops/release-approvals', { scope, reason: 'agreed' }, { token: t.officer2, totp: await b.code(t.officer2) });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect((await a.call('GET', '/v1/stops?kind=global', undefined, { token: t.admin1 })).body.engaged).toBe(false);
    const noRequest = await a.call('POST', '/v1/stops/release-approvals', { scope, reason: 'again' }, { token: t.officer2 });
    expect([noRequest.status, noRequest.body.code], 'nothing to approve is said before a code is asked for').toEqual([422, 'CONTROL.NOT_ENGAGED']);
  });

  it('five failures in a row lock the factor, even against the right code, until another admin unlocks it', async () => {
    const device = await a.authenticator(t.officer3);
    for (let failure = 1; failure <= 4; failure += 1) {
      const answer = await limits('0.90', { token: t.officer3, totp: wrong(await device.nextCode()) });
      expect([answer.status, answer.body.code, answer.body.details]).toEqual([401, 'MFA.INVALID_CODE', { userId: 'officer-3', failures: failure, failuresLeft: 5 - failure }]);
    }
    const fifth = await limits('0.90', { token: t.officer3, totp: wrong(await device.nextCode()) });
    expect([fifth.status, fifth.body.code]).toEqual([403, 'MFA.LOCKED']);
    const rightCode = await b.call('PUT', '/v1/accounts/M1/limits', { limits: { ...WIDE_LIMITS, maxPositionQty: '0.90' } }, { token: t.officer3, totp: await device.nextCode() });
    expect([rightCode.status, rightCode.body.code]).toEqual([403, 'MFA.LOCKED']);
    expect(await limitsVersion()).toBe(4);
    expect((await a.call('GET', '/v1/mfa/users/officer-3', undefined, { token: t.admin1 })).body).toMatchObject({ enrolled: true, locked: true, failures: 5, sealedWithCurrentKey: true });

    const byOfficer = await a.call('POST', '/v1/mfa/users/officer-3/unlock', { reason: 'mine' }, { token: t.officer1 });
    expect([byOfficer.status, byOfficer.body.code]).toEqual([403, 'AUTH.FORBIDDEN_ROLE']);
    const unlocked = await b.call('POST', '/v1/mfa/users/officer-3/unlock', { reason: 'called officer-3 back on the desk line' }, { token: t.admin1 });
    expect([unlocked.status, unlocked.body]).toEqual([200, { userId: 'officer-3', enrolled: true, enrolledAt: expect.any(String), locked: false, failures: 0, sealedWithKey: expect.stringMatching(/^[0-9a-f]{16}$/), sealedWithCurrentKey: true }]);
    const works = await limits('0.90', { token: t.officer3, totp: await device.nextCode() });
    expect(works.status, JSON.stringify(works.body)).toBe(200);
    expect(await mfaEvents('officer-3')).toEqual(['MfaEnrolled', ...Array(5).fill('MfaCodeFailed'), 'MfaLockedOut', 'MfaUnlocked', 'MfaCodeVerified']);
    const unlock = (await a.eventStore.readStream('mfa-officer-3')).find((e) => e.type === 'MfaUnlocked')!;
    expect(unlock.data).toMatchObject({ userId: 'officer-3', reason: 'called officer-3 back on the desk line', actor: { userId: 'admin-1', role: 'admin' } });
  });

  it('the OpenAPI document names X-TOTP-Code on the two controls, and only there among the commands', async () => {
    const doc = (await a.call('GET', '/docs/json')).body as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string; schema?: { pattern?: string } }> }>> };
    const withCode = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods)
      .filter(([, op]) => (op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'x-totp-code' && p.schema?.pattern === '^[0-9]{6}$'))
      .map(([method]) => `${method.toUpperCase()} ${path}`));
    expect(withCode.sort()).toEqual(['POST /v1/stops/release-approvals', 'PUT /v1/accounts/{accountId}/limits']);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/mfa/enrolment', '/v1/mfa/users/{userId}/unlock', '/v1/mfa/users/{userId}/reset']));
  });

  it('an admin cannot unlock or reset their own factor; another admin resets a lost one and the user enrols again', async () => {
    await a.authenticator(t.admin1);
    const self = await a.call('POST', '/v1/mfa/users/admin-1/reset', { reason: 'lost phone' }, { token: t.admin1 });
    expect([self.status, self.body.code]).toEqual([403, 'MFA.SELF_SERVICE']);
    const reset = await a.call('POST', '/v1/mfa/users/admin-1/reset', { reason: 'lost phone' }, { token: t.admin2 });
    expect([reset.status, reset.body.enrolled]).toEqual([200, false]);
    const again = await b.call('POST', '/v1/mfa/enrolment', undefined, { token: t.admin1 });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });
});
