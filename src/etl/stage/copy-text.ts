import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const QUESTION_MARK = 0x3f;
// PostgreSQL's COPY text format writes these control characters as backslash escapes; Redshift's
// ESCAPE would read `\t` as the letter t. CR and LF are dropped (a line break inside a value is never
// portable); the others become the plain character, which both engines read literally.
const CONTROL_ESCAPES = new Map<number, number | null>([
  [0x6e, null], // \n
  [0x72, null], // \r
  [0x74, 0x09], // \t
  [0x62, 0x08], // \b
  [0x66, 0x0c], // \f
  [0x76, 0x0b], // \v
]);
// Every Unicode noncharacter's UTF-8 holds one of these: EF B7 (U+FDD0…U+FDEF), BF BE or BF BF (the
// last two code points of a plane).
const NONCHARACTER_HINTS = [Buffer.from([0xef, 0xb7]), Buffer.from([0xbf, 0xbe]), Buffer.from([0xbf, 0xbf])];

// Turns the source's COPY … TO STDOUT text (FORMAT text, DELIMITER '|') into the staged file format,
// which Redshift's COPY … DELIMITER '|' ESCAPE and PostgreSQL's COPY … FROM STDIN read identically.
// Emits whole lines only, so a consumer may cut files between any two chunks.
export class StageFormat extends Transform {
  private carry: Buffer | null = null;

  // slack between the source's COPY and the compressor, so neither waits for the other chunk by chunk
  constructor() {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE) + 1;
    this.carry = end < data.length ? Buffer.from(data.subarray(end)) : null;
    if (end === 0) return done();
    done(null, toStageFormat(data.subarray(0, end)));
  }

  override _flush(done: TransformCallback): void {
    done(this.carry ? new Error('the source COPY stream ended in the middle of a line') : null);
  }
}

export function toStageFormat(lines: Buffer): Buffer {
  const unescaped = hasControlEscape(lines) ? replaceControlEscapes(lines) : lines;
  const clean = isUtf8(unescaped) && !unescaped.includes(0) && !NONCHARACTER_HINTS.some((hint) => unescaped.includes(hint));
  return clean ? unescaped : replaceInvalidUtf8(unescaped);
}

// One pass over the chunk's backslashes, each the start of an escape pair (rare in practice), instead of
// a search for each of the six escapes.
function hasControlEscape(lines: Buffer): boolean {
  for (let at = lines.indexOf(BACKSLASH); at !== -1; at = lines.indexOf(BACKSLASH, at + 2)) {
    if (CONTROL_ESCAPES.has(lines[at + 1])) return true;
  }
  return false;
}

function replaceControlEscapes(lines: Buffer): Buffer {
  const out = Buffer.allocUnsafe(lines.length);
  let length = 0;
  for (let i = 0; i < lines.length; i++) {
    const byte = lines[i];
    if (byte !== BACKSLASH) {
      out[length++] = byte;
      continue;
    }
    const next = lines[++i];
    const replacement = CONTROL_ESCAPES.get(next);
    if (replacement === undefined) {
      out[length++] = BACKSLASH; // \\ \| \N stay as they are
      out[length++] = next;
    } else if (replacement !== null) {
      out[length++] = replacement;
    }
  }
  return out.subarray(0, length);
}

// A source whose encoding is SQL_ASCII can hold any bytes. Each byte of an invalid sequence becomes
// '?' (as Redshift's ACCEPTINVCHARS would do), which keeps every value within its byte limit; NUL,
// which neither engine accepts in text, is dropped. So do the bytes of a Unicode noncharacter: valid
// UTF-8 that PostgreSQL keeps and Redshift's ACCEPTINVCHARS replaces, byte by byte.
export function replaceInvalidUtf8(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  let i = 0;
  while (i < bytes.length) {
    const size = bytes[i] === 0 ? 0 : utf8SequenceLength(bytes, i);
    if (size >= 3 && isNoncharacter(bytes, i, size)) {
      out.fill(QUESTION_MARK, length, length + size);
      length += size;
      i += size;
      continue;
    }
    if (size === 0) {
      if (bytes[i] !== 0) out[length++] = QUESTION_MARK;
      i++;
      continue;
    }
    bytes.copy(out, length, i, i + size);
    length += size;
    i += size;
  }
  return out.subarray(0, length);
}

// U+FDD0…U+FDEF, or a code point whose low 16 bits are FFFE or FFFF, in a valid sequence of 3 or 4 bytes.
function isNoncharacter(bytes: Buffer, i: number, size: number): boolean {
  if (size === 4) return (bytes[i + 1] & 0x0f) === 0x0f && bytes[i + 2] === 0xbf && bytes[i + 3] >= 0xbe;
  if (bytes[i] !== 0xef) return false;
  return (bytes[i + 1] === 0xb7 && bytes[i + 2] >= 0x90 && bytes[i + 2] <= 0xaf) || (bytes[i + 1] === 0xbf && bytes[i + 2] >= 0xbe);
}

// Length of the valid UTF-8 sequence starting at i, or 0 when there is none (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const [size, low, high] = sequenceShape(bytes[i]);
  if (size <= 1 || i + size > bytes.length) return size === 1 ? 1 : 0;
  if (bytes[i + 1] < low || bytes[i + 1] > high) return 0;
  for (let k = 2; k < size; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return size;
}

// [sequence length, range of the second byte] for a lead byte; length 0 for a byte that cannot lead
function sequenceShape(first: number): [number, number, number] {
  if (first < 0x80) return [1, 0, 0];
  if (first >= 0xc2 && first <= 0xdf) return [2, 0x80, 0xbf];
  if (first >= 0xe0 && first <= 0xef) return [3, first === 0xe0 ? 0xa0 : 0x80, first === 0xed ? 0x9f : 0xbf];
  if (first >= 0xf0 && first <= 0xf4) return [4, first === 0xf0 ? 0x90 : 0x80, first === 0xf4 ? 0x8f : 0xbf];
  return [0, 0, 0];
}

export function countLines(lines: Buffer): number {
  let count = 0;
  for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
