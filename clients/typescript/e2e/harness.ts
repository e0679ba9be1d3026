// Processes and pages of the end-to-end tests: arena-server, demo/serve.mjs and Chromium, each with
// its output kept so a failing test can print it.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const pkg = fileURLToPath(new URL('..', import.meta.url));

/** A child process whose output is kept (the last lines) and which dies with the test run. */
export class Child {
  readonly lines: string[] = [];
  private readonly exited: Promise<void>;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) this.lines.push(line);
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) => child.once('exit', () => done()));
    process.once('exit', this.killOnExit);
  }

  static start(name: string, command: string, args: string[]): Child {
    return new Child(name, spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** Resolves with the match of the first output line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    return new Promise((done, fail) => {
      const check = () => {
        for (const line of this.lines) {
          const match = line.match(pattern);
          if (match) return finish(() => done(match));
        }
      };
      const onExit = (code: number | null) => finish(() => fail(new Error(`${this.name} exited (${code}) before printing ${pattern}\n${this.output()}`)));
      const timer = setTimeout(() => finish(() => fail(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms\n${this.output()}`))), timeoutMs);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', onExit);
        then();
      };
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  output(): string {
    return `--- ${this.name} (last ${this.lines.length} lines) ---\n${this.lines.join('\n')}`;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface Arena {
  server: Child;
  playerUrl: string;
  adminUrl: string;
}

export async function startArena(): Promise<Arena> {
  const binary = resolve(pkg, process.env.ARENA_SERVER_BINARY ?? '../../build/server/arena-server');
  const server = Child.start('arena-server', binary, [
    '--player-port', '0',
    '--admin-port', '0',
    '--bind', '127.0.0.1',
    '--instance-id', 'e2e-web',
    '--shutdown-deadline', '2s',
  ]);
  const [, player, admin] = await server.waitForLine(/arena-server ready player=(\d+) admin=(\d+)/);
  return { server, playerUrl: `ws://127.0.0.1:${player}`, adminUrl: `http://127.0.0.1:${admin}` };
}

export async function startDemo(arenaUrl: string): Promise<{ demo: Child; url: string }> {
  const demo = Child.start('serve.mjs', process.execPath, [resolve(pkg, 'demo/serve.mjs'), '--port', '0', '--arena', arenaUrl]);
  const [, url = ''] = await demo.waitForLine(/^demo ready (http:\/\/\S+\/)$/);
  return { demo, url };
}

export function launchChromium(): Promise<Browser> {
  // Debian's Chromium; playwright-core never downloads a browser.
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** One page in its own context (own storage, own WebSocket), with its console kept under `label`. */
export async function openPage(browser: Browser, label: string, url: string, consoleLines: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  page.on('console', (message) => consoleLines.push(`[${label}] ${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => consoleLines.push(`[${label}] page error: ${error.stack ?? error.message}`));
  page.on('requestfailed', (request) => consoleLines.push(`[${label}] request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  await page.goto(url);
  return { context, page };
}
