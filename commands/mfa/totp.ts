// HOTP (RFC 4226) and TOTP (RFC 6238) on node:crypto's HMAC, and the base32 text (RFC 4648) secrets travel
// in. The ledger's factor is TOTP-SHA1, 30 s, 6 digits: what every authenticator app shows by default.
// SHA-256 / SHA-512 and 8 digits are here for the RFC's test vectors and `nicegold mfa code`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export interface TotpOptions {
  readonly algorithm?: OtpAlgorithm;
  readonly digits?: number;
  readonly periodSeconds?: number;
}

/** RFC 4226 section 5.3: HMAC of the 8-byte big-endian counter, dynamically truncated to `digits` digits. */
export function hotp(secret: Uint8Array, counter: number, digits = 6, algorithm: OtpAlgorithm = 'SHA1'): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new RangeError(`an HOTP counter is a non-negative integer, got ${counter}`);
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError(`an HOTP code has 6 to 10 digits, got ${digits}`);
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm.toLowerCase(), secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) * 2 ** 24) + (mac[offset + 1]! << 16) + (mac[offset + 2]! << 8) + mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 section 4: the time step of an instant (T0 = the Unix epoch). */
export const timeStep = (at: Date, periodSeconds = 30): number => Math.floor(at.getTime() / 1000 / periodSeconds);

export function totp(secret: Uint8Array, at: Date, options: TotpOptions = {}): string {
  return hotp(secret, timeStep(at, options.periodSeconds), options.digits ?? 6, options.algorithm ?? 'SHA1');
}

/** The steps from `step - window` to `step + window` whose code is `code` (compared in constant time). */
export function matchingSteps(secret: Uint8Array, code: string, step: number, window: number, options: TotpOptions = {}): number[] {
  const given = Buffer.from(code);
  const matches: number[] = [];
  for (let candidate = Math.max(0, step - window); candidate <= step + window; candidate += 1) {
    const expected = Buffer.from(hotp(secret, candidate, options.digits ?? 6, options.algorithm ?? 'SHA1'));
    if (expected.length === given.length && timingSafeEqual(expected, given)) matches.push(candidate);
  }
  return matches;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? out + BASE32[(buffer << (5 - bits)) & 31]! : out;
}

/** Base32 as authenticator apps show it: case, spaces, dashes and `=` padding do not matter. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  if (clean === '' || !/^[A-Z2-7]+$/.test(clean)) throw new RangeError('a base32 secret is letters A-Z and digits 2-7');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    buffer = (buffer << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** The key URI authenticator apps scan (Google Authenticator's Key Uri Format). */
export function otpauthUri(issuer: string, account: string, secret: Uint8Array, options: Required<TotpOptions>): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: options.algorithm,
    digits: String(options.digits),
    period: String(options.periodSeconds),
  });
  return `otpauth://totp/${label}?${query.toString().replace(/\+/g, '%20')}`;
}
