/**
 * `gatehouse controller` as the implementation under test: the real CLI from dist/ in a child
 * process, pointed at the cluster's kubeconfig, in host infrastructure mode (`--address-pool`:
 * each Gateway binds its own loopback address and reports it in status.addresses). Leader
 * election is off (one replica). Its log is kept so a failing run can show what it said.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI_MAIN } from './paths.js';

export interface ControllerOptions {
  kubeconfig: string;
  controllerName: string;
  /** e.g. 127.77.0.0/16 */
  addressPool: string;
  logLevel?: string;
}

const LOG_LIMIT = 4000;
const STOP_GRACE_MS = 5000;

export class ControllerProcess {
  private readonly lines: string[] = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.keep(line);
      });
    }
    child.once('exit', () => {
      this.exited = true;
    });
  }

  static start(options: ControllerOptions): ControllerProcess {
    const args = [
      CLI_MAIN,
      'controller',
      '--kubeconfig',
      options.kubeconfig,
      '--controller-name',
      options.controllerName,
      '--address-pool',
      options.addressPool,
      '--no-leader-election',
      '--admin-address',
      '127.0.0.1:0',
      '--log-level',
      options.logLevel ?? 'info',
      '--log-format',
      'text',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new ControllerProcess(child);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** The last lines the controller logged. */
  logTail(count = 60): string[] {
    return this.lines.slice(-count);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(timer);
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LIMIT) this.lines.splice(0, this.lines.length - LOG_LIMIT);
  }
}
