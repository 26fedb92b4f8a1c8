export { createSecondFactor, DEFAULT_MFA_ISSUER, type Enrolment, type SecondFactor, type SecondFactorDeps, type SecondFactorStatus } from './second-factor.ts';
export { openSecret, sealSecret, secretKeyId, SECRET_KEY_BYTES } from './sealed-secret.ts';
export { base32Decode, base32Encode, hotp, matchingSteps, otpauthUri, timeStep, totp, type OtpAlgorithm, type TotpOptions } from './totp.ts';
