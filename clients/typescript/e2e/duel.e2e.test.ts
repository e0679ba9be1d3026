// The browser demo against a real arena-server in real Chromium: a lobby page watches two player pages
// play a duel to the end; then a duel survives a dropped connection. Every wait is for a DOM state.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { launchChromium, openPage, pkg, startArena, startDemo, type Arena, type Child } from './harness';

const WAIT = 20_000; // for one DOM state; a move takes milliseconds, but the machine may be loaded
const screenshots = join(pkg, 'e2e/screenshots');

let arena: Arena;
let demo: Child;
let demoUrl: string;
let browser: Browser;
let consoleLines: string[] = [];
let contexts: BrowserContext[] = [];
let pages: Page[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  arena = await startArena();
  ({ demo, url: demoUrl } = await startDemo(arena.playerUrl));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await arena?.server.stop();
});

beforeEach(() => {
  consoleLines = [];
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    // What the pages looked like, what they logged, and what the servers said.
    const name = task.name.replace(/\W+/g, '-');
    await Promise.all(pages.map((page, i) => page.screenshot({ path: join(screenshots, `failed-${name}-${i}.png`) }).catch(() => undefined)));
    console.error([`--- browser console (${consoleLines.length} lines) ---`, ...consoleLines, arena?.server.output(), demo?.output()].join('\n'));
  }
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
  pages = [];
});

async function open(label: string, query = ''): Promise<Page> {
  const { context, page } = await openPage(browser, label, demoUrl + query, consoleLines);
  contexts.push(context);
  pages.push(page);
  return page;
}

/** Opens the duel page, enters `name` and presses "Play a duel"; resolves once the page is in a duel. */
async function joinDuel(name: string): Promise<Page> {
  const page = await open(name);
  await page.locator('#name').fill(name);
  await page.locator('#play').click();
  await page.waitForSelector('body[data-view="duel"][data-room-id^="r-"]', { timeout: WAIT });
  return page;
}

const data = (page: Page) => page.evaluate(() => ({ ...document.body.dataset }));

/** What a duel page shows, read from the DOM. */
interface Shown {
  session: string;
  phase: string;
  myTurn: boolean;
  pending: boolean;
  turnText: string;
  round: number;
  me: { session: string; name: string; hp: number; hpText: string };
  opponent: { session: string; name: string; hp: number; hpText: string };
  disabled: Record<string, boolean>;
  winner: string;
}
function shown(page: Page): Promise<Shown> {
  return page.evaluate(() => {
    const card = (id: string) => {
      const element = document.getElementById(id)!;
      return {
        session: element.dataset.session ?? '',
        name: element.querySelector('.name')!.textContent ?? '',
        hp: Number(element.dataset.hp),
        hpText: element.querySelector('.hp-text')!.textContent ?? '',
      };
    };
    const body = document.body.dataset;
    const disabled: Record<string, boolean> = {};
    for (const button of document.querySelectorAll<HTMLButtonElement>('#actions button')) disabled[button.dataset.action!] = button.disabled;
    return {
      session: body.sessionId ?? '',
      phase: body.phase ?? '',
      myTurn: body.myTurn === 'true',
      pending: body.pending === 'true',
      turnText: document.getElementById('turn')!.textContent ?? '',
      round: Number((document.getElementById('round')!.textContent ?? '').replace(/\D+/g, '') || 0),
      me: card('card-me'),
      opponent: card('card-opponent'),
      disabled,
      winner: document.getElementById('winner')!.textContent ?? '',
    };
  });
}

/** docs/ROOMS.md §7: an attack deals 10 + (round % 3) * 5, halved when the target defends; hp stops at 0. */
const attackDamage = (round: number) => 10 + (round % 3) * 5;

/**
 * Both players attack on every turn until one wins. Before each move both pages must agree on the
 * state, show whose turn it is and enable the buttons only on the mover's page; after it both must
 * show the target's hp lowered by the damage rule. `beforeMove` runs before move n (0-based).
 */
async function attackUntilOver(p1: Page, p2: Page, beforeMove?: (move: number) => Promise<void>): Promise<{ moves: number; winner: string }> {
  let previousMover = '';
  for (let move = 0; move < 40; move++) {
    await beforeMove?.(move);
    // Settle first: both pages on the same state, no action on its way.
    await Promise.all([p1, p2].map((page) => page.waitForSelector('body[data-pending="false"][data-conn="open"]', { timeout: WAIT })));
    const [a, b] = await Promise.all([shown(p1), shown(p2)]);
    if (a.phase === 'finished') {
      expect(b.phase).toBe('finished');
      return { moves: move, winner: a.winner };
    }
    expect(a.phase).toBe('playing');
    expect(b.phase).toBe('playing');
    expect(a.round).toBe(b.round);
    expect(a.me).toEqual(b.opponent);
    expect(b.me).toEqual(a.opponent);

    // Exactly one page has the move, and turns alternate.
    expect(a.myTurn).not.toBe(b.myTurn);
    const [mover, moverPage, waiter] = a.myTurn ? [a, p1, b] : [b, p2, a];
    expect(mover.session).not.toBe(previousMover);
    previousMover = mover.session;
    expect(mover.turnText).toBe('Your turn');
    expect(waiter.turnText).toBe(`${mover.me.name}'s turn`);
    expect(mover.disabled).toEqual({ attack: false, defend: false, heal: false, forfeit: false });
    expect(waiter.disabled).toEqual({ attack: true, defend: true, heal: true, forfeit: false }); // forfeit: any time

    const target = mover.opponent;
    const expectedHp = Math.max(0, target.hp - attackDamage(mover.round));
    await moverPage.locator('#actions button[data-action="attack"]').click();
    // Both pages show the hit, and then either the other player's turn or the end.
    await Promise.all(
      [p1, p2].map((page) =>
        page.waitForFunction(
          ({ session, hp, mover }) => {
            const card = document.querySelector<HTMLElement>(`.player[data-session="${session}"]`);
            const body = document.body.dataset;
            const moved = body.phase === 'finished' || (body.myTurn === 'true') === (body.sessionId !== mover);
            return card?.dataset.hp === String(hp) && card.querySelector('.hp-text')?.textContent === `${hp} / 100 hp` && moved;
          },
          { session: target.session, hp: expectedHp, mover: mover.session },
          { timeout: WAIT },
        ),
      ),
    );
  }
  throw new Error('the duel did not end within 40 moves');
}

describe('browser demo', () => {
  test('a lobby watches two players duel to the end', async () => {
    const lobby = await open('lobby', '?view=lobby');
    await lobby.waitForSelector('body[data-conn="open"] #rooms-total:not(:empty)', { timeout: WAIT });

    // alice opens a duel and waits: the lobby lists it as 1/2, open.
    const alice = await joinDuel('alice');
    await alice.waitForSelector('body[data-phase="waiting"] #waiting:not([hidden])', { timeout: WAIT });
    const roomId = (await data(alice)).roomId ?? '';
    expect(roomId).toMatch(/^r-/);
    const row = lobby.locator(`#rooms tr[data-room-id="${roomId}"]`);
    await row.locator('td.players', { hasText: '1/2' }).waitFor({ timeout: WAIT });
    expect(await row.getAttribute('data-locked')).toBe('false');
    expect(await row.locator('td.type').textContent()).toBe('duel');

    // bob joins the same room; the duel starts and locks the room: the lobby shows 2/2, locked.
    const bob = await joinDuel('bob');
    expect((await data(bob)).roomId).toBe(roomId);
    await Promise.all([alice, bob].map((page) => page.waitForSelector('body[data-phase="playing"]', { timeout: WAIT })));
    await lobby.locator(`#rooms tr[data-room-id="${roomId}"][data-locked="true"] td.players`, { hasText: '2/2' }).waitFor({ timeout: WAIT });

    // They see each other, alice (first to join) moves first, full health.
    const [a, b] = await Promise.all([shown(alice), shown(bob)]);
    expect([a.me.name, a.opponent.name, b.me.name, b.opponent.name]).toEqual(['alice', 'bob', 'bob', 'alice']);
    expect([a.me.hp, a.opponent.hp]).toEqual([100, 100]);
    expect(a.myTurn).toBe(true);

    // Attacks every turn: 15, 20, 10, 15, 20, 10, 15 by round — alice's 7th attack, the 13th move, ends it.
    const { moves } = await attackUntilOver(alice, bob);
    expect(moves).toBe(13);
    const [endA, endB] = await Promise.all([shown(alice), shown(bob)]);
    expect(endA.winner).toBe('You win!');
    expect(endB.winner).toBe('alice wins');
    expect((await data(alice)).winner).toBe(endA.session);
    expect((await data(bob)).winner).toBe(endA.session);
    expect(endB.me.hp).toBe(0);
    expect(endA.me.hp).toBe(100 - (15 + 20 + 10 + 15 + 20 + 10));
    expect(await alice.locator('#result-detail').textContent()).toContain('knock-out');
    expect(await alice.locator('#play-again').isVisible()).toBe(true);
    expect(endA.disabled).toEqual({ attack: true, defend: true, heal: true, forfeit: true });

    // The lobby saw it open at 1/2, fill to 2/2 and lock.
    const feed = await lobby.locator('#feed li').allTextContents();
    const opened = feed.findIndex((line) => line.includes('New duel room, 1/2') && line.includes(roomId));
    const filled = feed.findIndex((line) => line.includes('duel: 1/2 → 2/2, locked') && line.includes(roomId));
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(filled).toBeGreaterThanOrEqual(0);
    expect(filled).toBeLessThan(opened); // newest first

    await alice.screenshot({ path: join(screenshots, 'web-demo-player1.png'), animations: 'disabled' });
    await bob.screenshot({ path: join(screenshots, 'web-demo-player2.png'), animations: 'disabled' });
    await lobby.screenshot({ path: join(screenshots, 'web-demo-lobby.png'), animations: 'disabled' });

    // Both leave: the empty room goes at once, and so does its row.
    await alice.locator('#leave').click();
    await bob.locator('#leave').click();
    await Promise.all([alice, bob].map((page) => page.waitForSelector('body[data-view="start"]', { timeout: WAIT })));
    await row.waitFor({ state: 'detached', timeout: WAIT });
    await lobby.locator('#feed li', { hasText: roomId }).filter({ hasText: 'duel room gone' }).waitFor({ timeout: WAIT });
  });

  test('a duel survives a dropped connection', async (context) => {
    // POST /sessions/<id>/drop is recent: an older arena-server answers 404 without a JSON body.
    const probe = await fetch(`${arena.adminUrl}/sessions/s-none/drop`, { method: 'POST' });
    const hasDrop = (probe.headers.get('content-type') ?? '').includes('json');
    context.skip(!hasDrop, 'this arena-server has no POST /sessions/<id>/drop (rebuild it)');

    const carol = await joinDuel('carol');
    const dave = await joinDuel('dave');
    await Promise.all([carol, dave].map((page) => page.waitForSelector('body[data-phase="playing"]', { timeout: WAIT })));
    const { sessionId } = await data(carol);

    const { moves, winner } = await attackUntilOver(carol, dave, async (move) => {
      if (move !== 2) return; // after one round, on carol's turn
      await carol.waitForSelector('body[data-pending="false"][data-my-turn="true"]', { timeout: WAIT });
      const response = await fetch(`${arena.adminUrl}/sessions/${sessionId}/drop`, { method: 'POST' });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(await response.json()).toMatchObject({ session_id: sessionId, dropped: true });

      // The page shows the loss, the reconnection and the resume (in the log, newest first, and the status).
      await carol.waitForSelector('#conn[data-state="resumed"]', { timeout: WAIT });
      const log = await carol.locator('#log li').allTextContents();
      const reconnecting = log.findIndex((line) => /Reconnecting: attempt 1\b/.test(line));
      const resumed = log.findIndex((line) => /Resumed the session/.test(line));
      expect(reconnecting, log.join('\n')).toBeGreaterThan(resumed);
      expect(resumed).toBeGreaterThanOrEqual(0);
      expect(await carol.locator('#conn-text').textContent()).toMatch(/^Resumed after \d+\.\d s$/);
      expect((await data(carol)).sessionId).toBe(sessionId); // the same session, seat and all
      await carol.screenshot({ path: join(screenshots, 'web-demo-resumed.png'), animations: 'disabled' });
    });
    expect(moves).toBe(13);
    expect(winner).toBe('You win!');
    expect((await shown(dave)).winner).toBe('carol wins');
    expect(await dave.locator('#log li', { hasText: 'left' }).count()).toBe(0); // dave never saw carol go
  });
});
