import { randomFillSync } from 'node:crypto';

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Event ids are made by the
 * application (so one batch can insert events and the links that name them in one statement each), and
 * time-ordered ids keep inserts at the right edge of the primary-key index instead of all over it.
 */
const random = Buffer.allocUnsafe(16 * 256);
let randomAt = random.length;
/** The id's 36 ASCII characters are written here, then read back as one flat string (no per-part strings). */
const text = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');
/** Character offset of each of the 16 bytes' two hex digits. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const HEX_DIGIT = Buffer.from('0123456789abcdef', 'latin1');

export function uuidv7(now: number = Date.now()): string {
  if (randomAt === random.length) {
    randomFillSync(random);
    randomAt = 0;
  }
  const r = randomAt;
  randomAt += 16;
  const hi = Math.floor(now / 0x1_0000_0000);
  const lo = now >>> 0;
  writeByte(0, (hi >>> 8) & 0xff);
  writeByte(1, hi & 0xff);
  writeByte(2, (lo >>> 24) & 0xff);
  writeByte(3, (lo >>> 16) & 0xff);
  writeByte(4, (lo >>> 8) & 0xff);
  writeByte(5, lo & 0xff);
  writeByte(6, 0x70 | (random[r + 6] & 0x0f));
  writeByte(7, random[r + 7]);
  writeByte(8, 0x80 | (random[r + 8] & 0x3f));
  for (let i = 9; i < 16; i++) writeByte(i, random[r + i]);
  return text.toString('latin1', 0, 36);
}

function writeByte(i: number, byte: number): void {
  const at = AT[i];
  text[at] = HEX_DIGIT[byte >>> 4];
  text[at + 1] = HEX_DIGIT[byte & 0x0f];
}
