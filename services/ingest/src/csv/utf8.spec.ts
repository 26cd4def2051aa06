import { describe, expect, it } from 'vitest';
import { NotUtf8Error, strictUtf8 } from './utf8.js';

async function collect(pieces: number[][]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of strictUtf8(
    (async function* () {
      for (const p of pieces) yield Buffer.from(p);
    })(),
  ))
    out.push(b);
  return Buffer.concat(out);
}

describe('strictUtf8', () => {
  it('passes text through unchanged, holding a split character until it is complete', async () => {
    const bytes = [...Buffer.from('a€b😀')];
    const pieces = bytes.map((b) => [b]);
    expect((await collect(pieces)).toString()).toBe('a€b😀');
  });

  it.each([
    ['a lone continuation byte', [[0x61, 0x80, 0x62]]],
    ['an overlong encoding', [[0xc0, 0xaf]]],
    ['a surrogate code point', [[0xed, 0xa0, 0x80]]],
    ['a NUL byte', [[0x61, 0x00]]],
    ['a file ending inside a character', [[0x61, 0xe2, 0x82]]],
  ])('refuses %s', async (_, pieces) => {
    await expect(collect(pieces)).rejects.toThrow(NotUtf8Error);
  });
});
