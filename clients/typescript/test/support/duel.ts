// Waiting for duel states in tests.

import type { Duel, DuelState } from '../../src/node.js';
import { waitFor } from './clients.js';

/** Resolves once the duel's state satisfies `predicate` (at once if it does already). */
export async function reached(duel: Duel, predicate: (s: DuelState) => boolean): Promise<DuelState> {
  const now = duel.state;
  if (now && predicate(now)) return now;
  const [state] = await waitFor(duel, 'change', predicate);
  return state;
}
