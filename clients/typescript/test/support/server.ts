// Real arena-server processes for the integration tests: started on random ports, stopped (SIGTERM, then
// SIGKILL) after the file, their output printed when a test fails.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach } from 'vitest';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** ARENA_SERVER_BINARY, or the build tree's server next to this package (../../build/server/arena-server). */
export const serverBinary = process.env['ARENA_SERVER_BINARY'] ?? resolve(packageDir, '../../build/server/arena-server');

const READY = /arena-server ready player=(\d+) admin=(\d+) instance=(\S+) store=(\S+)/;
const MAX_OUTPUT = 256 * 1024;

// setpriv makes the server die with the test process even if that one is killed (PR_SET_PDEATHSIG).
const pdeathsig = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ?? false;

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface SessionInfo {
  id: string;
  playerId: string;
  connected: boolean;
  rooms: string[];
  /** ISO 8601 with milliseconds, UTC: compares as text. */
  lastActivityAt: string;
}

export interface AdminReply {
  status: number;
  body: unknown;
}

export class ArenaServer {
  playerPort = 0;
  adminPort = 0;
  instance = '';
  private log = '';
  private readonly exited: Promise<number | null>;

  constructor(
    private readonly child: ChildProcess,
    readonly args: readonly string[],
  ) {
    const collect = (chunk: Buffer): void => {
      this.log += chunk.toString('utf8');
      if (this.log.length > MAX_OUTPUT) this.log = this.log.slice(-MAX_OUTPUT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    void this.exited.then(() => running.delete(child));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.playerPort}`;
  }

  get output(): string {
    return this.log;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the ready line was printed; rejects if the process ends first or takes too long. */
  waitReady(timeoutMs = 20_000): Promise<void> {
    return new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => done(new Error(`arena-server not ready within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const match = READY.exec(this.log);
        if (!match) return;
        this.playerPort = Number(match[1]);
        this.adminPort = Number(match[2]);
        this.instance = match[3] ?? '';
        done();
      };
      const onExit = (code: number | null): void => done(new Error(`arena-server exited (${code}) before it was ready`));
      const done = (error?: Error): void => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.off('exit', onExit);
        if (error) reject(new Error(`${error.message}\n${this.log}`));
        else resolveReady();
      };
      this.child.stdout?.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.isRunning) this.child.kill(signal);
  }

  /** Resolves with the exit code when the process has ended. */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.isRunning) return;
    this.child.kill('SIGCONT'); // a test may have left it stopped
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async admin(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<AdminReply> {
    const response = await fetch(`http://127.0.0.1:${this.adminPort}${path}`, { method });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body };
  }

  /** POST /sessions/<id>/drop: the server drops the connection without a close frame. */
  async dropSession(sessionId: string): Promise<void> {
    const reply = await this.admin('POST', `/sessions/${encodeURIComponent(sessionId)}/drop`);
    if (reply.status !== 200) throw new Error(`drop of ${sessionId} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }

  /** The sessions the server holds (GET /sessions). */
  async sessions(): Promise<SessionInfo[]> {
    const reply = await this.admin('GET', '/sessions');
    return (reply.body as { sessions: SessionInfo[] }).sessions;
  }
}

const started: ArenaServer[] = [];

/**
 * Starts `arena-server --player-port 0 --admin-port 0 <extra>` (extra may name its own ports) and waits for its
 * ready line.
 */
export async function startServer(extra: readonly string[] = []): Promise<ArenaServer> {
  if (!existsSync(serverBinary))
    throw new Error(`no arena-server at ${serverBinary}: build the server or set ARENA_SERVER_BINARY`);
  const ports = ['--player-port', '--admin-port'].flatMap((flag) => (extra.includes(flag) ? [] : [flag, '0']));
  const args = [...ports, ...extra];
  const [command, commandArgs] = pdeathsig
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', serverBinary, ...args]]
    : [serverBinary, args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const server = new ArenaServer(child, args);
  started.push(server);
  await server.waitReady();
  return server;
}

/**
 * Call once at the top of a test file: every server started in the file is stopped after it, and the output
 * of the servers is printed when a test fails.
 */
export function useServers(): void {
  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(() => {
      for (const server of started) {
        console.error(`---- arena-server ${server.args.join(' ')} (pid ${server.pid}), test "${task.name}" ----`);
        console.error(server.output.slice(-20_000));
      }
    });
  });
  afterAll(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });
}
