// Event ids derive from the command id (uuid v5), so a retried command produces the same ids and the
// event store refuses to record it twice.
//
// SHA-1 is computed here rather than with node:crypto: ingestion derives one id per tick, and for
// names this short the cost of createHash/update/digest (objects, native calls) is several times the
// hashing itself. The output is the standard uuid v5 (RFC 9562), byte for byte.

/** Our uuid v5 namespace (a fixed random uuid). */
const NICEGOLD_NAMESPACE = '6f1f7f4e-5d0b-4c55-9a55-1c3e2b9d4a10';

const namespaceBytes = new Map<string, Uint8Array>();
const toBytes = (uuid: string): Uint8Array => {
  let bytes = namespaceBytes.get(uuid);
  if (!bytes) namespaceBytes.set(uuid, (bytes = Uint8Array.from(Buffer.from(uuid.replace(/-/g, ''), 'hex'))));
  return bytes;
};

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const encoder = new TextEncoder();
const schedule = new Int32Array(80);
const digest = new Int32Array(5);
let message = new Uint8Array(256);

const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

function compressBlock(bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i += 1) {
    const j = offset + i * 4;
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 80; i += 1) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
  let [a, b, c, d, e] = [digest[0]!, digest[1]!, digest[2]!, digest[3]!, digest[4]!];
  for (let i = 0; i < 80; i += 1) {
    const f = i < 20 ? ((b & c) | (~b & d)) + 0x5a827999
      : i < 40 ? (b ^ c ^ d) + 0x6ed9eba1
        : i < 60 ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc
          : (b ^ c ^ d) + 0xca62c1d6;
    const t = (rotl(a, 5) + f + e + w[i]!) | 0;
    e = d; d = c; c = rotl(b, 30); b = a; a = t;
  }
  digest[0] = (digest[0]! + a) | 0; digest[1] = (digest[1]! + b) | 0; digest[2] = (digest[2]! + c) | 0;
  digest[3] = (digest[3]! + d) | 0; digest[4] = (digest[4]! + e) | 0;
}

/** SHA-1 of namespace bytes followed by the UTF-8 of `name`, left in `digest`. */
function sha1(namespace: Uint8Array, name: string): void {
  const room = namespace.length + name.length * 3 + 72;
  if (message.length < room) message = new Uint8Array(room * 2);
  message.set(namespace, 0);
  const length = namespace.length + encoder.encodeInto(name, message.subarray(namespace.length)).written;
  const padded = (((length + 8) >>> 6) + 1) << 6;
  message.fill(0, length, padded);
  message[length] = 0x80;
  const bits = length * 8;
  const view = new DataView(message.buffer, message.byteOffset, padded);
  view.setUint32(padded - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded - 4, bits >>> 0);
  digest.set([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);
  for (let offset = 0; offset < padded; offset += 64) compressBlock(message, offset);
}

const word = (x: number) => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

export function uuidV5(name: string, namespace = NICEGOLD_NAMESPACE): string {
  sha1(toBytes(namespace), name);
  const [first, second, third, fourth] = [digest[0]!, digest[1]!, digest[2]!, digest[3]!];
  // Version 5 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
  const version = HEX[(second >>> 24) & 255]! + HEX[(second >>> 16) & 255]! + '-' + HEX[((second >>> 8) & 0x0f) | 0x50]! + HEX[second & 255]!;
  const variant = HEX[((third >>> 24) & 0x3f) | 0x80]! + HEX[(third >>> 16) & 255]! + '-' + HEX[(third >>> 8) & 255]! + HEX[third & 255]!;
  return `${word(first)}-${version}-${variant}${word(fourth)}`;
}

/** The id of the `index`th event a command produces on a stream. */
export const eventIdFor = (commandId: string, streamId: string, index: number) => uuidV5(`${commandId}/${streamId}/${index}`);

/**
 * The id of an event recorded once per stream ever, whichever command makes it (Decider.onceKey): a fill
 * booked a second time, even by another command, carries the same id and the store refuses it.
 */
export const onceEventId = (streamId: string, key: string) => uuidV5(`once/${streamId}/${key}`);
