// The uuid v5 of a tick's name, by node:crypto's one-shot SHA-1 (crypto.hash): one native call per tick,
// ~0.7 µs against ~1.8 µs for the JavaScript SHA-1 of handling/event-ids.ts (measured on 200,000 tick
// names), which every other event id still uses. The bytes are the same (RFC 9562 uuid v5 under our
// namespace): a property test holds the two equal, so a tick recorded before keeps its event id.
import { hash } from 'node:crypto';

/** handling/event-ids.ts's namespace (not exported there); the property test fails if they part. */
const NAMESPACE = Buffer.from('6f1f7f4e5d0b4c559a551c3e2b9d4a10', 'hex');
/** The first hex digit of byte 8 with the variant bits (10xx) set: 0-3 -> 8-b, 4-7 -> 8-b, ... */
const VARIANT: Readonly<Record<string, string>> = Object.fromEntries(
  [...'0123456789abcdef'].map((digit) => [digit, '89ab'[Number.parseInt(digit, 16) & 3]!]),
);

/** The namespace, then the name's UTF-8 written after it in place: no buffer allocated per tick. */
let message = Buffer.allocUnsafe(1_024);
NAMESPACE.copy(message, 0);

export function tickEventId(name: string): string {
  if (NAMESPACE.length + name.length * 3 > message.length) { // UTF-8 takes at most 3 bytes per UTF-16 unit
    message = Buffer.allocUnsafe(NAMESPACE.length + name.length * 3);
    NAMESPACE.copy(message, 0);
  }
  const length = NAMESPACE.length + message.write(name, NAMESPACE.length, 'utf8');
  const hex = hash('sha1', message.subarray(0, length), 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${VARIANT[hex[16]!]!}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
