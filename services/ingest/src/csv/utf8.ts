import { isUtf8 } from 'node:buffer';

/** Thrown when the bytes cannot be a UTF-8 text file. */
export class NotUtf8Error extends Error {
  override name = 'NotUtf8Error';
}

/** Length of the UTF-8 sequence a lead byte starts (0 for a continuation or invalid byte). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where an unfinished multi-byte sequence starts at the end of `buf`, or buf.length if none. */
function incompleteTailStart(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const i = buf.length - back;
    const byte = buf[i]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const len = sequenceLength(byte);
    return len > back ? i : buf.length;
  }
  return buf.length;
}

/**
 * Checks a byte stream is UTF-8 text without NUL bytes (binary files nearly always have one) and
 * passes the bytes through unchanged. A sequence split across chunks is held back until complete.
 */
export async function* strictUtf8(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  let carry: Buffer | undefined;
  let offset = 0;
  for await (const piece of source) {
    const buf: Buffer = carry
      ? Buffer.concat([carry, piece])
      : Buffer.isBuffer(piece)
        ? piece
        : Buffer.from(piece);
    const cut = incompleteTailStart(buf);
    const head = buf.subarray(0, cut);
    carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : undefined;
    assertText(head, offset);
    offset += head.length;
    if (head.length) yield head;
  }
  if (carry) throw new NotUtf8Error(`the file ends inside a UTF-8 character (byte ${offset})`);
}

function assertText(bytes: Buffer, offset: number) {
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new NotUtf8Error(`it contains a NUL byte at byte ${offset + nul}`);
  if (!isUtf8(bytes)) throw new NotUtf8Error(`it has invalid UTF-8 near byte ${offset}`);
}
