// Time from a server-side drop to the game being back in its room, with the TypeScript SDK in Node.
//
//   node bench/sdk/reconnect.mjs <arena-server binary> [drops=100]
//
// Starts arena-server (in-memory store, one worker), puts two SDK clients in a duel (hosted in the
// worker process), then drops player 1's connection `drops` times through the admin API
// (POST /sessions/<id>/drop: no close frame, as a network failure) and times each one from just before
// the request to the SDK's `resumed` event, by which the session is back and the duel's state re-sent.
// Prints the p50 / p90 / p99 / max, how much of it was the SDK's own backoff (full jitter, first retry
// within 0–200 ms), and the percentiles of the rest (drop to resumed less the backoff) as one JSON line.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ArenaClient, Duel } from '../../clients/typescript/dist/node.js';

const binary = process.argv[2];
const drops = Number(process.argv[3] ?? 100);
if (!binary) {
    console.error('usage: node bench/sdk/reconnect.mjs <arena-server binary> [drops]');
    process.exit(2);
}

function startServer() {
    const child = spawn(binary, ['--player-port', '0', '--admin-port', '0', '--workers-min', '1', '--workers-max', '1'],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stderr.on('data', (chunk) => { log += chunk; });
    process.on('exit', (code) => { if (code !== 0) process.stderr.write(`arena-server said:\n${log}`); });
    return new Promise((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on('line', (line) => {
            const m = /^arena-server ready player=(\d+) admin=(\d+)/.exec(line);
            if (m) resolve({ child, player: Number(m[1]), admin: Number(m[2]) });
        });
        child.on('exit', (code) => reject(new Error(`arena-server exited with ${code}`)));
    });
}

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
const once = (emitter, event) => new Promise((resolve) => {
    const off = emitter.on(event, (...args) => { off(); resolve(args); });
});

const server = await startServer();
try {
    const url = `ws://127.0.0.1:${server.player}`;
    const a = new ArenaClient({ url, playerId: 'bench-a' });
    const b = new ArenaClient({ url, playerId: 'bench-b' });
    await a.connect();
    await b.connect();
    // A long turn timer: the duel must outlive the run.
    const options = { filter: { bench: 'reconnect' }, metadata: { bench: 'reconnect', turnSeconds: 300 } };
    const roomA = await a.joinOrCreate('duel', options);
    await b.joinOrCreate('duel', options);
    const duel = new Duel(roomA, a);
    if (duel.state?.phase !== 'playing') await once(duel, 'change');

    const times = [];
    const work = []; // each drop's time less the backoff delay the SDK chose: detecting, reconnecting, resyncing
    let backoff = 0;
    a.on('reconnecting', ({ delayMs }) => { backoff += delayMs; });
    for (let i = 0; i < drops; i++) {
        const resumed = once(a, 'resumed');
        const delayBefore = backoff;
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${server.admin}/sessions/${a.sessionId}/drop`, { method: 'POST' });
        if (!res.ok) throw new Error(`drop ${i}: HTTP ${res.status} ${await res.text()}`);
        await resumed;
        const elapsed = performance.now() - t0;
        times.push(elapsed);
        work.push(elapsed - (backoff - delayBefore));
        if (roomA.state?.phase !== 'playing') throw new Error(`drop ${i}: the duel is ${roomA.state?.phase}`);
    }
    times.sort((x, y) => x - y);
    work.sort((x, y) => x - y);
    const round = (ms) => Math.round(ms * 10) / 10;
    console.log(JSON.stringify({
        drops,
        p50_ms: round(percentile(times, 0.5)),
        p90_ms: round(percentile(times, 0.9)),
        p99_ms: round(percentile(times, 0.99)),
        max_ms: round(times[times.length - 1]),
        mean_backoff_ms: round(backoff / drops),
        without_backoff_p50_ms: round(percentile(work, 0.5)),
        without_backoff_p99_ms: round(percentile(work, 0.99)),
    }));
    await a.close();
    await b.close();
} finally {
    server.child.kill('SIGTERM');
}
