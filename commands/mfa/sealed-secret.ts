// TOTP secrets are recorded sealed: AES-256-GCM under the key from config (MFA_SECRET_KEY), with the user
// and enrolment as associated data, so a sealed secret copied into another user's stream does not open.
// Whoever reads the event log (projections, audit trails, a backup) sees ciphertext only; the key stays
// with the processes that check codes.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { SealedSecret } from '../../domain/mfa/index.ts';
import { MfaError } from '../../domain/mfa/index.ts';

export const SECRET_KEY_BYTES = 32;

/** Names a key without revealing it: the first 16 hex digits of its SHA-256. */
export const secretKeyId = (key: Uint8Array): string => createHash('sha256').update(key).digest('hex').slice(0, 16);

const associatedData = (userId: string, enrolmentId: string) => Buffer.from(`nicegold-mfa/${userId}/${enrolmentId}`);

function checkKey(key: Uint8Array): void {
  if (key.length !== SECRET_KEY_BYTES) throw new RangeError(`the MFA secret key is ${SECRET_KEY_BYTES} bytes, got ${key.length}`);
}

export function sealSecret(key: Uint8Array, userId: string, enrolmentId: string, secret: Uint8Array): SealedSecret {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(userId, enrolmentId));
  const ciphertext = Buffer.concat([cipher.update(secret), cipher.final()]);
  return { keyId: secretKeyId(key), iv: iv.toString('base64'), ciphertext: ciphertext.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

export function openSecret(key: Uint8Array, userId: string, enrolmentId: string, sealed: SealedSecret): Buffer {
  checkKey(key);
  const keyId = secretKeyId(key);
  const unreadable = (cause?: unknown) => new MfaError(
    'MFA.SECRET_UNREADABLE',
    `${userId}'s second factor was sealed with key ${sealed.keyId}; this process has key ${keyId}: give every process the same MFA_SECRET_KEY (or an admin resets the factor and the user enrols again)`,
    { userId, sealedWith: sealed.keyId, processKey: keyId },
    { cause },
  );
  if (sealed.keyId !== keyId) throw unreadable();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(associatedData(userId, enrolmentId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch (error) {
    throw unreadable(error);
  }
}
