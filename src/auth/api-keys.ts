import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

// Compares a presented key with every configured one in constant time (hashing first equalises lengths).
export class KeyRing {
  private readonly digests: Buffer[];

  constructor(keys: string[]) {
    this.digests = keys.map(digest);
  }

  has(candidate: string): boolean {
    const presented = digest(candidate);
    let found = false;
    for (const known of this.digests) found = timingSafeEqual(known, presented) || found;
    return found;
  }
}

// What logs show instead of a key: enough to tell keys apart, useless to an attacker.
export function fingerprint(key: string): string {
  return digest(key).toString('hex').slice(0, 8);
}
