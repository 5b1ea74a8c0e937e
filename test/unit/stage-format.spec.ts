import { isUtf8 } from 'node:buffer';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from '@jest/globals';
import { StageFormat, countLines, replaceInvalidUtf8, toStageFormat } from '../../src/etl/stage/copy-text.js';

// The staged file format: PostgreSQL's COPY text as the source writes it, turned into what Redshift's
// COPY … DELIMITER '|' ESCAPE and PostgreSQL's COPY FROM both read the same way.

const BS = '\\';
// text as UTF-8 and raw byte values, joined
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Uint8Array.from(part))));
const stage = (text: string) => toStageFormat(Buffer.from(text)).toString('latin1');

describe(toStageFormat.name, () => {
  it('drops the \\n and \\r escapes: a line break inside a value is never portable', () => {
    expect(stage(`1|first${BS}nsecond${BS}r${BS}n|x\n`)).toBe('1|firstsecond|x\n');
  });

  it.each([
    ['t', '\t'],
    ['b', '\b'],
    ['f', '\f'],
    ['v', '\v'],
  ])('turns \\%s into the plain control character', (letter, char) => {
    expect(stage(`a${BS}${letter}b|c\n`)).toBe(`a${char}b|c\n`);
  });

  it('keeps the escapes both engines read alike: \\\\, \\| and \\N', () => {
    const line = `${BS}${BS}|a${BS}|b|${BS}N\n`;
    expect(stage(line)).toBe(line);
  });

  it('reads an escaped backslash followed by n as a backslash and the letter n', () => {
    // the value  C:\new  is written C:\\new by COPY
    expect(stage(`C:${BS}${BS}new|${BS}${BS}${BS}n|${BS}${BS}${BS}${BS}n\n`)).toBe(`C:${BS}${BS}new|${BS}${BS}|${BS}${BS}${BS}${BS}n\n`);
  });

  it('leaves lines without escapes as they are', () => {
    const lines = 'id|name\n2|zwölf 😀\n';
    expect(stage(lines)).toBe(Buffer.from(lines).toString('latin1'));
  });

  it('replaces invalid UTF-8 and drops NUL after unescaping', () => {
    expect(toStageFormat(bytes('a', [0xff], `${BS}tb`, [0x00], '|c\n'))).toEqual(bytes('a?\tb|c\n'));
  });

  it('replaces a noncharacter in otherwise valid text, as Redshift would load it', () => {
    expect(toStageFormat(Buffer.from('a\uFDD0b|\u{10FFFF}|😀\n'))).toEqual(Buffer.from('a???b|????|😀\n'));
  });
});

describe(StageFormat.name, () => {
  // Runs chunks through a StageFormat; returns what it emitted, chunk by chunk.
  async function transform(chunks: Buffer[]): Promise<Buffer[]> {
    const emitted: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        emitted.push(chunk);
        done();
      },
    });
    await pipeline(Readable.from(chunks.filter((chunk) => chunk.length > 0)), new StageFormat(), sink);
    return emitted;
  }

  const INPUT = bytes(
    `1|install|héllo${BS}nwörld|${BS}N|${BS}${BS}n\n`,
    `2|event|${BS}t€|😀|a${BS}|b\n`,
    '3|session|',
    [0xe2, 0x82],
    `|${BS}r${BS}n|x\n`,
  );

  it('emits only whole lines, the same output wherever the input is split', async () => {
    const expected = toStageFormat(INPUT);
    for (let at = 0; at <= INPUT.length; at++) {
      const emitted = await transform([INPUT.subarray(0, at), INPUT.subarray(at)]);
      expect({ at, output: Buffer.concat(emitted).toString('latin1') }).toEqual({ at, output: expected.toString('latin1') });
      expect(emitted.filter((chunk) => chunk.at(-1) !== 0x0a)).toEqual([]);
    }
  });

  it('gives the same output when fed one byte at a time', async () => {
    const single = Array.from(INPUT, (byte) => Buffer.from([byte]));
    expect(Buffer.concat(await transform(single))).toEqual(toStageFormat(INPUT));
  });

  it('fails when the input ends in the middle of a line', async () => {
    await expect(transform([Buffer.from('1|a\n2|b')])).rejects.toThrow(/ended in the middle of a line/);
  });

  it('emits nothing, and no error, for empty input', async () => {
    await expect(transform([])).resolves.toEqual([]);
  });
});

describe(replaceInvalidUtf8.name, () => {
  it.each([
    ['ASCII', [0x61]],
    ['U+0080, the first 2-byte character', [0xc2, 0x80]],
    ['U+07FF, the last 2-byte character', [0xdf, 0xbf]],
    ['U+0800, the first 3-byte character', [0xe0, 0xa0, 0x80]],
    ['U+D7FF, the last before the surrogates', [0xed, 0x9f, 0xbf]],
    ['U+E000, the first after the surrogates', [0xee, 0x80, 0x80]],
    ['U+FFFD, the last 3-byte character that is not a noncharacter', [0xef, 0xbf, 0xbd]],
    ['U+FDCF and U+FDF0, around the noncharacters U+FDD0…U+FDEF', [0xef, 0xb7, 0x8f, 0xef, 0xb7, 0xb0]],
    ['U+10000, the first 4-byte character', [0xf0, 0x90, 0x80, 0x80]],
    ['U+10FFFD, the last character that is not a noncharacter', [0xf4, 0x8f, 0xbf, 0xbd]],
    ['U+0FFF and U+1FFFD, with BF BF inside', [0xe0, 0xbf, 0xbf, 0xf0, 0x9f, 0xbf, 0xbd]],
    ['é € 😀', [...Buffer.from('é € 😀')]],
  ])('keeps valid %s', (_what, sequence) => {
    const input = Buffer.from([0x7c, ...sequence, 0x7c]);
    expect(replaceInvalidUtf8(input)).toEqual(input);
  });

  it.each([
    ['an overlong 2-byte form of /', [0xc0, 0xaf]],
    ['an overlong 2-byte form starting C1', [0xc1, 0xbf]],
    ['an overlong 3-byte form', [0xe0, 0x80, 0xaf]],
    ['an overlong 4-byte form', [0xf0, 0x80, 0x80, 0xaf]],
    ['a high surrogate', [0xed, 0xa0, 0x80]],
    ['a low surrogate', [0xed, 0xbf, 0xbf]],
    ['a truncated 2-byte sequence', [0xc3]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
    ['U+110000, above the last character', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte F5', [0xf5, 0x80, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a Latin-1 é', [0xe9]],
    ['FE and FF', [0xfe, 0xff]],
    // noncharacters: valid UTF-8 that Redshift's ACCEPTINVCHARS replaces byte by byte, PostgreSQL keeps
    ['the noncharacter U+FDD0', [0xef, 0xb7, 0x90]],
    ['the noncharacter U+FDEF', [0xef, 0xb7, 0xaf]],
    ['the noncharacter U+FFFE', [0xef, 0xbf, 0xbe]],
    ['the noncharacter U+FFFF', [0xef, 0xbf, 0xbf]],
    ['the noncharacter U+1FFFE', [0xf0, 0x9f, 0xbf, 0xbe]],
    ['the noncharacter U+10FFFF', [0xf4, 0x8f, 0xbf, 0xbf]],
  ])('replaces each byte of %s with ?', (_what, sequence) => {
    expect(replaceInvalidUtf8(Buffer.from([0x61, ...sequence, 0x62])).toString()).toBe(`a${'?'.repeat(sequence.length)}b`);
  });

  it('never swallows a delimiter, line break or backslash that follows a broken sequence', () => {
    expect(replaceInvalidUtf8(bytes([0xe2, 0x82], '|', [0xf0], '\n', [0xc3], BS, 'N')).toString()).toBe(`??|?\n?${BS}N`);
  });

  it('at the end of the buffer, replaces a truncated sequence', () => {
    expect(replaceInvalidUtf8(Buffer.from([0x61, 0xf0, 0x9f])).toString()).toBe('a??');
  });

  it('drops NUL', () => {
    expect(replaceInvalidUtf8(Buffer.from([0x61, 0x00, 0x62, 0x00]))).toEqual(Buffer.from('ab'));
  });

  it('always yields valid UTF-8 of the same length, less the NULs', () => {
    let seed = 20_261_120;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 2_000; round++) {
      const input = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 24) }, () => Math.floor(random() * 256)));
      const output = replaceInvalidUtf8(input);
      const nuls = input.filter((byte) => byte === 0).length;
      expect({ input: input.toString('hex'), valid: isUtf8(output), length: output.length, hasNul: output.includes(0) }).toEqual({
        input: input.toString('hex'),
        valid: true,
        length: input.length - nuls,
        hasNul: false,
      });
    }
  });
});

describe(countLines.name, () => {
  it('counts line feeds', () => {
    expect(countLines(Buffer.from(''))).toBe(0);
    expect(countLines(Buffer.from('a|b\n'))).toBe(1);
    expect(countLines(Buffer.from(`a${BS}nb\nc\n\n`))).toBe(3);
  });
});
