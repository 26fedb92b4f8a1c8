// Rotating MFA_SECRET_KEY on real PostgreSQL, as an operator does it: a user enrols under key A, the ledger
// restarts with MFA_SECRET_KEY=B and MFA_SECRET_KEY_PREVIOUS=A and the user's codes still check; restarted
// with B alone, a check answers MFA.SECRET_UNREADABLE saying what to configure, and records nothing (no
// failure counted, no lock-out for a configuration fault). New enrolments are sealed under B. Each restart
// is a new event store connection and second factor built from loadConfig as the api role builds it, so no
// cache carries over.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { secretKeyId } from '../../../commands/mfa/sealed-secret.ts';
import { createSecondFactor } from '../../../commands/mfa/second-factor.ts';
import type { SealedSecret } from '../../../domain/mfa/index.ts';
import { loadConfig } from '../../../infra/config/config.ts';
import { PostgresEventStore } from '../../../infra/event-store/postgres.ts';
import { asLedgerEventStore } from '../../../infra/event-store/upcasting.ts';
import { createPgClient } from '../../../infra/sql/pg-client.ts';
import { Authenticator, testClock } from '../../support/second-factor.ts';
import { postgresService, TEST_DATABASE_URL, uniqueName } from '../../support/services.ts';

const postgres = await postgresService();

describe.skipIf(!postgres.available)(`second-factor key rotation on PostgreSQL${postgres.skipReason}`, () => {
  const schema = uniqueName('mfa_rotation');
  const keyA = randomBytes(32).toString('hex');
  const keyB = randomBytes(32).toString('hex');
  const clock = testClock();
  const open: Array<() => Promise<void>> = [];

  /** The ledger started with `env`: a fresh connection and second factor, as infra/runtime/roles/api.ts wires it. */
  async function start(env: Record<string, string>) {
    const config = loadConfig({ NODE_ENV: 'test', ...env });
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    const eventStore = asLedgerEventStore(await PostgresEventStore.create(sql, { schema }));
    open.push(async () => { await eventStore.close(); await sql.close(); });
    const secondFactor = createSecondFactor({ eventStore, secretKey: config.mfaSecretKey, previousSecretKeys: config.mfaPreviousSecretKeys, clock: clock.now, source: 'test' });
    return { secondFactor, eventStore };
  }

  const officer = (userId: string) => ({ userId, role: 'risk_officer' as const });
  const check = (userId: string, code: string) => ({ commandId: randomUUID(), actor: officer(userId), secondFactorCode: code });
  const purpose = { command: 'SetRiskLimits', streamId: 'account-M1' };
  const sealedWith = async (eventStore: { readStream(id: string): Promise<Array<{ type: string; data: unknown }>> }, userId: string) => {
    const enrolled = (await eventStore.readStream(`mfa-${userId}`)).filter((e) => e.type === 'MfaEnrolled').at(-1);
    return (enrolled?.data as { secret: SealedSecret }).secret.keyId;
  };

  afterAll(async () => {
    for (const close of open.reverse()) await close();
    const sql = createPgClient({ connectionString: TEST_DATABASE_URL });
    await sql.exec(`drop schema if exists ${schema} cascade`);
    await sql.close();
  });

  it('opens a secret sealed under the previous key, refuses clearly without it, and seals new enrolments under the current one', async () => {
    const beforeRotation = await start({ MFA_SECRET_KEY: keyA });
    const enrolment = await beforeRotation.secondFactor.enrol({ commandId: randomUUID(), actor: officer('officer-1') });
    const device = Authenticator.of(enrolment.secret, clock);
    await expect(beforeRotation.secondFactor.verify(check('officer-1', await device.nextCode()), purpose)).resolves.toMatchObject({ userId: 'officer-1' });
    expect(await sealedWith(beforeRotation.eventStore, 'officer-1')).toBe(secretKeyId(Buffer.from(keyA, 'hex')));
    expect(await beforeRotation.secondFactor.status('officer-1')).toMatchObject({ sealedWithKey: secretKeyId(Buffer.from(keyA, 'hex')), sealedWithCurrentKey: true });
    expect(await beforeRotation.secondFactor.status('nobody')).toMatchObject({ enrolled: false, sealedWithKey: null, sealedWithCurrentKey: null });

    const rotated = await start({ MFA_SECRET_KEY: keyB, MFA_SECRET_KEY_PREVIOUS: keyA });
    await expect(rotated.secondFactor.verify(check('officer-1', await device.nextCode()), purpose)).resolves.toMatchObject({ userId: 'officer-1' });
    // The operator's question before dropping A: who still needs it.
    expect(await rotated.secondFactor.status('officer-1')).toMatchObject({ sealedWithKey: secretKeyId(Buffer.from(keyA, 'hex')), sealedWithCurrentKey: false });

    const oldKeyDropped = await start({ MFA_SECRET_KEY: keyB });
    const refused = await oldKeyDropped.secondFactor.verify(check('officer-1', await device.nextCode()), purpose).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'MFA.SECRET_UNREADABLE', details: { userId: 'officer-1', sealedWith: secretKeyId(Buffer.from(keyA, 'hex')) } });
    expect((refused as Error).message).toMatch(/MFA_SECRET_KEY_PREVIOUS.*an admin resets the factor/);
    expect(await oldKeyDropped.secondFactor.status('officer-1')).toMatchObject({ enrolled: true, locked: false, failures: 0 });
    expect((await oldKeyDropped.eventStore.readStream('mfa-officer-1')).map((e) => e.type)).toEqual(['MfaEnrolled', 'MfaCodeVerified', 'MfaCodeVerified']);

    // A new enrolment after the rotation is sealed under B: it opens with B alone.
    const second = await rotated.secondFactor.enrol({ commandId: randomUUID(), actor: officer('officer-2') });
    expect(await sealedWith(rotated.eventStore, 'officer-2')).toBe(secretKeyId(Buffer.from(keyB, 'hex')));
    expect(await rotated.secondFactor.status('officer-2')).toMatchObject({ sealedWithKey: secretKeyId(Buffer.from(keyB, 'hex')), sealedWithCurrentKey: true });
    const secondDevice = Authenticator.of(second.secret, clock);
    await expect(oldKeyDropped.secondFactor.verify(check('officer-2', await secondDevice.nextCode()), purpose)).resolves.toMatchObject({ userId: 'officer-2' });
  });
});
