// TOTP secrets are recorded sealed: AES-256-GCM under the key from config (MFA_SECRET_KEY), with the user
// and enrolment as associated data, so a sealed secret copied into another user's stream does not open.
// Whoever reads the event log (projections, audit trails, a backup) sees ciphertext only; the key stays
// with the processes that check codes. A rotation keeps the old keys for opening (MFA_SECRET_KEY_PREVIOUS):
// the key id recorded beside each secret says which key opens it, so no key is tried on a guess.
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

/**
 * Opens a sealed secret with whichever of `keys` has its key id (the current key and those before a
 * rotation). No key of that id is a configuration to fix, not a failed code: nothing is recorded.
 */
export function openSecret(keys: readonly Uint8Array[], userId: string, enrolmentId: string, sealed: SealedSecret): Buffer {
  keys.forEach(checkKey);
  const keyIds = keys.map(secretKeyId);
  const key = keys[keyIds.indexOf(sealed.keyId)];
  if (key === undefined) {
    throw new MfaError(
      'MFA.SECRET_UNREADABLE',
      `${userId}'s second factor was sealed with key ${sealed.keyId}, which this process does not have (its keys: ${keyIds.join(', ')}): ` +
        'give every process that checks codes that key in MFA_SECRET_KEY_PREVIOUS (or as MFA_SECRET_KEY), or an admin resets the factor and the user enrols again',
      { userId, sealedWith: sealed.keyId, processKeys: keyIds },
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(associatedData(userId, enrolmentId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch (error) {
    // The right key and still no secret: the record was altered or belongs to another user or enrolment.
    throw new MfaError(
      'MFA.SECRET_UNREADABLE',
      `${userId}'s second factor does not open with key ${sealed.keyId} it names: the recorded secret is not this enrolment's; an admin resets the factor and the user enrols again`,
      { userId, sealedWith: sealed.keyId, processKeys: keyIds },
      { cause: error },
    );
  }
}
