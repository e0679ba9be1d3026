// Player tokens for servers started with --player-token-secret-file: HS256 JWTs signed with node:crypto.

import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

/** A signed token; `claims` needs `sub` (the player id) and `exp` (seconds since the epoch). */
export function mintToken(secret: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A token for `playerId` valid for an hour. */
export function playerToken(secret: string, playerId: string): string {
  const now = Math.floor(Date.now() / 1000);
  return mintToken(secret, { sub: playerId, iat: now, exp: now + 3600 });
}

/** A fresh secret (64 hex characters) in a private file of a new temporary directory. */
export function secretFile(): { secret: string; path: string; remove(): void } {
  const secret = randomBytes(32).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'arena-sdk-'));
  const path = join(dir, 'player-token-secret');
  writeFileSync(path, secret, { mode: 0o600 });
  return { secret, path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
