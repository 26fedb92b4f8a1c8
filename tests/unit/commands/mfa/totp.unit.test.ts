import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchingSteps, otpauthUri, timeStep, totp, type OtpAlgorithm } from '../../../../commands/mfa/totp.ts';
import { openSecret, sealSecret, secretKeyId } from '../../../../commands/mfa/sealed-secret.ts';

// RFC 6238 appendix B: the seed of each mode is the ASCII digits "1234567890" repeated to the hash's size.
const SEEDS: Record<OtpAlgorithm, Buffer> = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

const RFC6238: ReadonlyArray<readonly [number, string, OtpAlgorithm]> = [
  [59, '94287082', 'SHA1'], [59, '46119246', 'SHA256'], [59, '90693936', 'SHA512'],
  [1111111109, '07081804', 'SHA1'], [1111111109, '68084774', 'SHA256'], [1111111109, '25091201', 'SHA512'],
  [1111111111, '14050471', 'SHA1'], [1111111111, '67062674', 'SHA256'], [1111111111, '99943326', 'SHA512'],
  [1234567890, '89005924', 'SHA1'], [1234567890, '91819424', 'SHA256'], [1234567890, '93441116', 'SHA512'],
  [2000000000, '69279037', 'SHA1'], [2000000000, '90698825', 'SHA256'], [2000000000, '38618901', 'SHA512'],
  [20000000000, '65353130', 'SHA1'], [20000000000, '77737706', 'SHA256'], [20000000000, '47863826', 'SHA512'],
];

// RFC 4226 appendix D: HOTP values of the secret "12345678901234567890" for counters 0 to 9.
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('HOTP and TOTP against the RFCs', () => {
  it.each(RFC6238)('RFC 6238 at T=%i s is %s (%s, 8 digits)', (seconds, code, algorithm) => {
    expect(totp(SEEDS[algorithm], new Date(seconds * 1000), { algorithm, digits: 8 })).toBe(code);
  });

  it.each(RFC4226.map((code, counter) => [counter, code] as const))('RFC 4226 counter %i is %s', (counter, code) => {
    expect(hotp(SEEDS.SHA1, counter)).toBe(code);
  });

  it('the ledger\'s factor is the 6-digit SHA-1 code of the 30 s step: the last six digits of the RFC\'s', () => {
    expect(totp(SEEDS.SHA1, new Date(59_000))).toBe('287082');
    expect(totp(SEEDS.SHA1, new Date(1111111109_000))).toBe('081804');
    expect(timeStep(new Date(59_000))).toBe(1);
    expect(timeStep(new Date(1111111109_000))).toBe(0x23523ec);
  });

  it('a code is matched in the step before and after the current one, and not further', () => {
    const now = new Date(1234567890_000);
    const step = timeStep(now);
    const codeOf = (s: number) => hotp(SEEDS.SHA1, s);
    expect(matchingSteps(SEEDS.SHA1, codeOf(step), step, 1)).toEqual([step]);
    expect(matchingSteps(SEEDS.SHA1, codeOf(step - 1), step, 1)).toEqual([step - 1]);
    expect(matchingSteps(SEEDS.SHA1, codeOf(step + 1), step, 1)).toEqual([step + 1]);
    expect(matchingSteps(SEEDS.SHA1, codeOf(step - 2), step, 1)).toEqual([]);
    expect(matchingSteps(SEEDS.SHA1, codeOf(step + 2), step, 1)).toEqual([]);
    expect(matchingSteps(SEEDS.SHA1, '12345', step, 1)).toEqual([]);
  });
});

describe('base32 and the key URI', () => {
  it.each([['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']])(
    'RFC 4648 base32 of %j is %s (unpadded), and back',
    (text, encoded) => {
      expect(base32Encode(Buffer.from(text))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(text);
    },
  );

  it('reads a secret as apps show it (lower case, spaces, padding) and refuses what is not base32', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow(RangeError);
    expect(() => base32Decode('')).toThrow(RangeError);
  });

  it('the otpauth URI names issuer, user, secret and parameters', () => {
    const uri = otpauthUri('NICEGOLD Ledger', 'officer 1', SEEDS.SHA1, { algorithm: 'SHA1', digits: 6, periodSeconds: 30 });
    expect(uri).toBe('otpauth://totp/NICEGOLD%20Ledger:officer%201?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=NICEGOLD%20Ledger&algorithm=SHA1&digits=6&period=30');
  });
});

describe('sealed secrets', () => {
  const key = Buffer.alloc(32, 7);
  it('opens with the key, user and enrolment it was sealed for, and carries no clear secret', () => {
    const sealed = sealSecret(key, 'officer-1', 'e1', SEEDS.SHA1);
    expect(JSON.stringify(sealed)).not.toContain(SEEDS.SHA1.toString('base64'));
    expect(JSON.stringify(sealed)).not.toContain(base32Encode(SEEDS.SHA1));
    expect(openSecret([key], 'officer-1', 'e1', sealed).equals(SEEDS.SHA1)).toBe(true);
    expect(() => openSecret([key], 'officer-2', 'e1', sealed)).toThrow(expect.objectContaining({ code: 'MFA.SECRET_UNREADABLE' }));
    expect(() => openSecret([Buffer.alloc(32, 8)], 'officer-1', 'e1', sealed)).toThrow(expect.objectContaining({ code: 'MFA.SECRET_UNREADABLE' }));
  });

  it('opens with whichever configured key has the id recorded beside the secret, and says what to configure when none has', () => {
    const previous = Buffer.alloc(32, 9);
    const sealed = sealSecret(previous, 'officer-1', 'e1', SEEDS.SHA1);
    expect(openSecret([key, previous], 'officer-1', 'e1', sealed).equals(SEEDS.SHA1)).toBe(true);
    expect(openSecret([previous, key], 'officer-1', 'e1', sealed).equals(SEEDS.SHA1)).toBe(true);
    expect(() => openSecret([key], 'officer-1', 'e1', sealed)).toThrow(expect.objectContaining({
      code: 'MFA.SECRET_UNREADABLE',
      message: expect.stringMatching(/sealed with key [0-9a-f]{16}, which this process does not have .*MFA_SECRET_KEY_PREVIOUS.*an admin resets the factor/),
      details: { userId: 'officer-1', sealedWith: sealed.keyId, processKeys: [secretKeyId(key)] },
    }));
    const altered = { ...sealed, ciphertext: Buffer.alloc(20, 1).toString('base64') };
    expect(() => openSecret([key, previous], 'officer-1', 'e1', altered)).toThrow(expect.objectContaining({ code: 'MFA.SECRET_UNREADABLE', message: expect.stringMatching(/not this enrolment's/) }));
  });
});
