// Arena browser demo: a duel (default view) and a live room list (?view=lobby), written against the
// public API of the arena-client SDK only. Read it top to bottom as a small manual:
//   1. where the server is       2. the connection status      3. the duel      4. the lobby
import { ArenaClient, Duel, type ConnectionState, type DuelState, type Room } from '../src/index.ts';

const $ = <T extends HTMLElement = HTMLElement>(selector: string, root: ParentNode = document): T => {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`demo: no element ${selector}`);
  return element;
};
const params = new URLSearchParams(location.search);

// Tests and curious developers can reach the live objects from the console: window.__arena.
const debug: { view: string; client?: ArenaClient; duel?: Duel; room?: Room; sessionId?: string } = { view: 'loading' };
(window as unknown as { __arena: typeof debug }).__arena = debug;

// ---------------------------------------------------------------------------------------------------
// 1. Where is arena-server? ?server=ws://host:port wins, then /config.json (written by serve.mjs),
//    then port 4600 on the host that served the page.
async function findServer(): Promise<string> {
  const fromQuery = params.get('server');
  if (fromQuery) return fromQuery;
  try {
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = (await response.json()) as { server?: unknown };
      if (typeof config.server === 'string') return config.server;
    }
  } catch {
    // No config.json (e.g. the vite dev server): fall through to the default.
  }
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname || '127.0.0.1'}:4600`;
}

// Links between the views keep ?server= so a page opened from the demo talks to the same server.
function viewLink(view?: string): string {
  const next = new URLSearchParams();
  if (params.get('server')) next.set('server', params.get('server')!);
  if (view) next.set('view', view);
  const query = next.toString();
  return query ? `./?${query}` : './';
}

// ---------------------------------------------------------------------------------------------------
// 2. Connection status. The client reconnects by itself and resumes the session (seats included);
//    the page only has to show what is going on.
function watchConnection(client: ArenaClient, log: (text: string, kind?: string) => void): void {
  const pill = $('#conn');
  const text = $('#conn-text');
  const show = (state: ConnectionState | 'resumed', label: string) => {
    pill.dataset.state = state;
    text.textContent = label;
  };
  client.on('state', (state: ConnectionState) => {
    document.body.dataset.conn = state;
    if (state === 'connecting') show(state, 'Connecting…');
    else if (state === 'open' && pill.dataset.state !== 'resumed') show(state, 'Connected');
    else if (state === 'closed') show(state, 'Disconnected');
    // 'reconnecting' is shown by the 'reconnecting' event below, which knows the attempt number.
  });
  client.on('disconnected', ({ code, willReconnect }) => {
    if (willReconnect) log(`Connection lost (code ${code}) — reconnecting`, 'system warn');
  });
  client.on('reconnecting', ({ attempt, delayMs }) => {
    show('reconnecting', `Reconnecting · attempt ${attempt}`);
    log(`Reconnecting: attempt ${attempt} in ${Math.round(delayMs)} ms`, 'system warn');
  });
  client.on('resumed', ({ downtimeMs, attempts }) => {
    show('resumed', `Resumed after ${(downtimeMs / 1000).toFixed(1)} s`);
    log(`Resumed the session after ${(downtimeMs / 1000).toFixed(1)} s (${attempts} attempt${attempts === 1 ? '' : 's'})`, 'system ok');
  });
  client.on('closing', ({ reason }) => {
    if (reason === 'replaced') log('This name signed in somewhere else (another tab?): this page was signed out', 'system bad');
  });
  client.on('session_lost', (error) => {
    show('closed', 'Session lost');
    log(`Session lost: ${error.message}`, 'system bad');
  });
}

// Tells the server's clock apart from ours, so the turn timer counts down to the server's deadline.
let clockOffsetMs = 0;
async function measureClock(client: ArenaClient): Promise<void> {
  const { rttMs, serverTime } = await client.ping();
  clockOffsetMs = serverTime - (Date.now() - rttMs / 2);
}

// A log list (newest first) shared by both views.
function logger(list: HTMLElement): (text: string, kind?: string, detail?: string) => void {
  return (text: string, kind = '', detail = '') => {
    const item = document.createElement('li');
    item.className = kind;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString([], { hour12: false });
    const body = document.createElement('span');
    body.textContent = text;
    if (detail) body.append(Object.assign(document.createElement('small'), { textContent: detail }));
    item.append(time, body);
    console.info(`[arena-demo] ${text}${detail ? ` (${detail})` : ''}`);
    list.prepend(item);
    while (list.children.length > 200) list.lastElementChild!.remove();
  };
}

// ---------------------------------------------------------------------------------------------------
// 3. The duel. One ArenaClient per page; a Duel wraps the room and gives typed state and actions.
const reasons: Record<string, string> = { ko: 'by knock-out', timeout: 'on time (three skipped turns)', forfeit: 'by forfeit' };

function duelView(server: string): void {
  const log = logger($('#log'));
  const nameInput = $<HTMLInputElement>('#name');
  nameInput.value = sessionStorage.getItem('arena-demo-name') ?? '';
  let client: ArenaClient | undefined;
  let clientName = '';
  let duel: Duel | undefined;
  let pending = false; // an action is on its way: no double clicks

  const show = (view: 'start' | 'duel') => {
    $('#view-start').hidden = view !== 'start';
    $('#view-duel').hidden = view !== 'duel';
    document.body.dataset.view = debug.view = view;
  };

  // The name is the player id; without one the server makes up a guest-… id.
  async function connect(name: string): Promise<ArenaClient> {
    if (client && client.state === 'open' && clientName === name) return client;
    await client?.close();
    const next = (client = debug.client = new ArenaClient({ url: server, playerId: name || undefined }));
    clientName = name;
    watchConnection(next, log);
    next.on('state', () => render()); // no actions while the connection is down
    next.on('welcome', (welcome) => {
      debug.sessionId = document.body.dataset.sessionId = welcome.sessionId;
    });
    try {
      await next.connect();
    } catch (error) {
      client = debug.client = undefined; // a fresh client on the next try
      throw error;
    }
    await measureClock(next).catch(() => undefined);
    return next;
  }

  async function play(): Promise<void> {
    const name = nameInput.value.trim();
    sessionStorage.setItem('arena-demo-name', name);
    $('#start-error').textContent = '';
    $<HTMLButtonElement>('#play').disabled = true;
    try {
      const c = await connect(name);
      if (duel?.room.active) await duel.room.leave();
      // Join a waiting demo duel, or open one and wait in it.
      const room = await c.joinOrCreate('duel', { filter: { mode: 'demo' }, metadata: { mode: 'demo' } });
      follow(new Duel(room, c));
      show('duel');
    } catch (error) {
      $('#start-error').textContent = `Could not join a duel on ${server}: ${(error as Error).message}`;
      show('start');
    } finally {
      $<HTMLButtonElement>('#play').disabled = false;
    }
  }

  // Wire a new duel to the page. Events of an older duel (before "Play again") are ignored.
  function follow(next: Duel): void {
    duel = debug.duel = next;
    debug.room = next.room;
    const mine = () => duel === next;
    const name = (session: string | null | undefined) =>
      (session && next.state?.players[session]?.playerId) ||
      next.room.members.find((m) => m.sessionId === session)?.playerId ||
      session ||
      '?';

    $('#log').replaceChildren();
    $('#room-id').textContent = next.room.id;
    log('Joined a duel room', 'system', next.room.id);
    next.on('change', () => mine() && render());
    next.on('game_started', (e) => mine() && log(`The duel starts: ${name(e.turn)} moves first`, 'system'));
    next.on('action', (e) => {
      if (!mine()) return;
      const by = name(e.by);
      if (e.action === 'attack') {
        const target = name(e.target);
        const blocked = e.defended ? ' (defended: halved)' : '';
        log(`${by} attacks ${target} for ${e.damage}${blocked} — ${target} has ${e.hp[e.target!]} hp`, 'attack');
      } else if (e.action === 'heal') log(`${by} heals +${e.healed} — ${e.hp[e.by]} hp, ${e.healsLeft} heals left`, 'heal');
      else if (e.action === 'defend') log(`${by} defends: the next hit is halved`, 'defend');
    });
    next.on('turn_skipped', (e) => mine() && log(`${name(e.player)} ran out of time (${e.skippedTurns} in a row)`, 'system warn'));
    next.on('game_over', (e) => mine() && log(`${name(e.winner)} wins ${reasons[e.reason] ?? e.reason}`, 'system ok'));
    next.room.on('member_joined', (m) => mine() && log(`${m.playerId} joined`, 'system'));
    next.room.on('member_left', (m) => mine() && log(`${m.playerId} left (${m.reason})`, 'system'));
    next.room.on('left', ({ reason }) => mine() && log(reason === 'requested' ? 'You left the room' : `The room closed (${reason})`, 'system'));
    render();
  }

  async function act(action: 'attack' | 'defend' | 'heal' | 'forfeit'): Promise<void> {
    if (!duel || pending) return;
    pending = true;
    render();
    try {
      await duel[action](); // resolves once the server has applied it (its events came first)
    } catch (error) {
      log(`${action} refused: ${(error as Error).message}`, 'system bad');
    } finally {
      pending = false;
      render();
    }
  }

  function renderCard(card: HTMLElement, state: DuelState | undefined, session: string | undefined): void {
    const player = session ? state?.players[session] : undefined;
    card.dataset.session = session ?? '';
    card.classList.toggle('empty', !player);
    card.classList.toggle('active', !!session && state?.phase === 'playing' && state.turn === session);
    card.classList.toggle('winner', !!session && state?.winner === session);
    card.classList.toggle('loser', !!session && !!state?.winner && state.winner !== session);
    $('.name', card).textContent = player?.playerId ?? 'No opponent yet';
    const hp = player?.hp ?? 100;
    card.dataset.hp = String(hp);
    $('.hp-fill', card).style.width = `${hp}%`;
    $('.hp-fill', card).dataset.level = hp > 50 ? 'high' : hp > 25 ? 'mid' : 'low';
    $('.hp-text', card).textContent = player ? `${hp} / 100 hp` : '';
    card.querySelectorAll('.heals i').forEach((pip, i) => pip.classList.toggle('used', !player || i >= player.healsLeft));
    $('.defending', card).hidden = !player?.defending;
    $('.skipped', card).hidden = !player?.skippedTurns;
    $('.skipped', card).textContent = `${player?.skippedTurns ?? 0} skipped`;
  }

  function render(): void {
    const state = duel?.state;
    const me = duel?.me;
    const opponent = state && me ? Object.keys(state.players).find((s) => s !== me) : undefined;
    const playing = state?.phase === 'playing';
    const myTurn = !!duel?.myTurn && playing;
    renderCard($('#card-me'), state, me);
    renderCard($('#card-opponent'), state, opponent);

    const turn = $('#turn');
    turn.dataset.mine = String(myTurn);
    turn.textContent = !state || state.phase === 'waiting' ? 'Waiting…' : playing ? (myTurn ? 'Your turn' : `${state.players[state.turn!]?.playerId}'s turn`) : 'Game over';
    $('#round').textContent = state && state.round > 0 ? `Round ${state.round}` : '';

    // Actions only on your turn, while connected, one at a time; heal only with heals left. Forfeit is
    // the exception the duel allows: any time while playing.
    const canSend = playing && client?.state === 'open' && !pending;
    for (const button of document.querySelectorAll<HTMLButtonElement>('#actions button')) {
      const action = button.dataset.action;
      button.disabled = action === 'forfeit'
        ? !canSend
        : !(canSend && myTurn) || (action === 'heal' && (state?.players[me!]?.healsLeft ?? 0) === 0);
    }

    $('#waiting').hidden = state?.phase !== 'waiting';
    $('#actions').hidden = !playing;
    $('#timer').hidden = !playing;
    $('#turn-panel').hidden = !playing; // before: the waiting note; after: the result
    $('#turn-seconds').textContent = String(state?.turnSeconds ?? 30);
    const result = $('#result');
    result.hidden = state?.phase !== 'finished';
    if (state?.phase === 'finished') {
      const winner = state.winner === me ? 'You win!' : `${state.players[state.winner!]?.playerId ?? 'Your opponent'} wins`;
      $('#winner').textContent = winner;
      result.dataset.won = String(state.winner === me);
      $('#result-detail').textContent = `${reasons[state.reason ?? ''] ?? state.reason} in round ${state.round}`;
    }
    tick();

    // For tests and the console: the page's state in data attributes.
    Object.assign(document.body.dataset, {
      phase: state?.phase ?? 'none',
      myTurn: String(myTurn),
      pending: String(pending),
      roomId: duel?.room.id ?? '',
      winner: state?.winner ?? '',
    });
  }

  // The turn timer: the server skips the turn at turnEndsAt (its clock), we only show the countdown.
  function tick(): void {
    const state = duel?.state;
    const left = state?.phase === 'playing' && state.turnEndsAt ? Math.max(0, state.turnEndsAt - (Date.now() + clockOffsetMs)) : 0;
    const seconds = Math.ceil(left / 1000);
    $('#timer-text').textContent = state?.phase === 'playing' ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}` : '';
    $('#timer-text').dataset.urgent = String(state?.phase === 'playing' && seconds <= 5);
    $('#timer-fill').style.width = state?.phase === 'playing' ? `${(100 * left) / (state.turnSeconds * 1000)}%` : '0%';
  }
  setInterval(tick, 250);

  async function leave(): Promise<void> {
    await duel?.room.leave().catch(() => undefined);
    duel = debug.duel = undefined;
    await client?.close();
    client = debug.client = undefined;
    $('#conn').dataset.state = 'idle';
    $('#conn-text').textContent = 'Not connected';
    show('start');
  }

  $('#start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void play();
  });
  $('#actions').addEventListener('click', (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
    if (button && !button.disabled) void act(button.dataset.action as 'attack');
  });
  $('#play-again').addEventListener('click', () => void play());
  $('#leave').addEventListener('click', () => void leave());
  $('#cancel').addEventListener('click', () => void leave());
  show('start');
  nameInput.focus();
}

// ---------------------------------------------------------------------------------------------------
// 4. The lobby. A member of a `lobby` room is sent {kind:"rooms", rooms, total} whenever the list of
//    public rooms changes; this view shows it and what changed.
interface Listing {
  id: string;
  type: string;
  clients: number;
  max_clients: number;
  locked: boolean;
  metadata: Record<string, unknown>;
}

async function lobbyView(server: string): Promise<void> {
  $('#view-lobby').hidden = false;
  document.body.dataset.view = debug.view = 'lobby';
  const feed = logger($('#feed'));
  const client = (debug.client = new ArenaClient({ url: server }));
  watchConnection(client, feed);
  client.on('welcome', (welcome) => {
    debug.sessionId = document.body.dataset.sessionId = welcome.sessionId;
  });

  let previous = new Map<string, Listing>();
  const seats = (r: Listing) => `${r.clients}/${r.max_clients}`;

  function render(rooms: Listing[], total: number): void {
    const current = new Map(rooms.map((r) => [r.id, r]));
    for (const r of rooms) {
      const before = previous.get(r.id);
      if (!before) feed(`New ${r.type} room, ${seats(r)}${r.locked ? ', locked' : ''}`, 'appeared', r.id);
      else if (before.clients !== r.clients || before.locked !== r.locked)
        feed(`${r.type}: ${seats(before)} → ${seats(r)}${r.locked ? ', locked' : ''}`, 'changed', r.id);
    }
    for (const r of previous.values()) if (!current.has(r.id)) feed(`${r.type} room gone`, 'gone', r.id);
    previous = current;

    $('#rooms-total').textContent = String(total);
    $('#rooms-empty').hidden = rooms.length > 0;
    $('#rooms').replaceChildren(
      ...rooms.map((r) => {
        const row = document.createElement('tr');
        row.dataset.roomId = r.id;
        row.dataset.clients = String(r.clients);
        row.dataset.locked = String(r.locked);
        const status = r.clients >= r.max_clients ? 'full' : r.locked ? 'locked' : 'open';
        const cell = (text: string, className = '') => {
          const td = document.createElement('td');
          td.className = className;
          td.textContent = text;
          return td;
        };
        const players = cell('', 'players');
        const dots = document.createElement('span');
        dots.className = 'seats';
        for (let i = 0; i < Math.min(r.max_clients, 8); i++) dots.append(Object.assign(document.createElement('i'), { className: i < r.clients ? 'taken' : '' }));
        players.append(dots, document.createTextNode(seats(r)));
        const badge = cell('', 'status');
        badge.append(Object.assign(document.createElement('span'), { className: `badge ${status}`, textContent: status + (r.locked && status === 'full' ? ' · locked' : '') }));
        const metadata = Object.entries(r.metadata).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
        row.append(cell(r.id, 'id'), cell(r.type, 'type'), players, badge, cell(metadata.join('  '), 'meta'));
        return row;
      }),
    );
  }

  try {
    await client.connect();
    const lobby = (debug.room = await client.joinOrCreate('lobby'));
    lobby.on('event', ({ data }) => {
      const message = data as { kind?: string; rooms?: Listing[]; total?: number };
      if (message.kind === 'rooms' && message.rooms) render(message.rooms, message.total ?? message.rooms.length);
    });
    // The listing is pushed on joining too, but asking once more costs nothing and also covers a resume.
    const refresh = () => void lobby.send({ action: 'refresh' }).catch(() => undefined);
    lobby.on('resynced', refresh);
    refresh();
    feed(`Watching rooms on ${server}`, 'system');
  } catch (error) {
    feed(`Could not join the lobby on ${server}: ${(error as Error).message}`, 'system bad');
  }
}

// ---------------------------------------------------------------------------------------------------
const server = await findServer();
$('#server-url').textContent = server;
$<HTMLAnchorElement>('#nav-duel').href = viewLink();
$<HTMLAnchorElement>('#nav-lobby').href = $<HTMLAnchorElement>('#start-lobby-link').href = viewLink('lobby');
$<HTMLAnchorElement>('#lobby-play-link').href = viewLink();
const view = params.get('view') === 'lobby' ? 'lobby' : 'duel';
$(`#nav-${view}`).classList.add('current');
if (view === 'lobby') void lobbyView(server);
else duelView(server);
