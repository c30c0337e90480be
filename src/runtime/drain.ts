// Graceful drain, shared by every command that serves traffic (serve, controller, proxy). On
// SIGTERM or SIGINT (or POST /drain): readiness fails at once so load balancers stop sending new
// traffic; the listeners keep accepting for `delayMs` while that propagates; then the data plane
// drains (stops accepting, closes idle connections, ends busy ones after their response) and the
// process exits 0 once no connection is left. Progress (connections, in-flight requests) is
// logged every `progressIntervalMs`. There is no deadline unless `timeoutMs` is set: the
// platform's SIGKILL is the backstop. A second SIGTERM is logged and ignored; a second SIGINT
// (Ctrl-C pressed again at a terminal) exits at once with 130.

import { setTimeout as delay } from 'node:timers/promises';
import type { DataPlane } from '../dataplane/types.js';
import { componentLogger, type Logger } from '../observability/logger.js';

export interface DrainOptions {
  dataPlane: DataPlane;
  logger: Logger;
  /** How long listeners keep accepting after readiness turned 503. */
  delayMs: number;
  /** Our own ceiling on the whole drain; 0 or absent: none. */
  timeoutMs?: number;
  progressIntervalMs: number;
  /** At the start (e.g. release a leader lease). Failures are logged, the drain goes on. */
  onStart?: () => Promise<void> | void;
  /** Once traffic is drained (or the timeout passed): stop providers, flush logs, close admin. */
  onDrained: () => Promise<void> | void;
  /** Defaults to process.exit. */
  exit?: (code: number) => void;
}

export class Drain {
  #started = false;
  #finished = false;
  #progress: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  /** Cancels the drain delay when the process exits before it ends. */
  readonly #stopDelay = new AbortController();
  readonly #options: DrainOptions;

  constructor(options: DrainOptions) {
    this.#options = { ...options, logger: componentLogger(options.logger, 'drain') };
  }

  /** True from the first signal on: /readyz answers 503. */
  get draining(): boolean {
    return this.#started;
  }

  /** Drains on SIGTERM and SIGINT. */
  installSignalHandlers(): void {
    process.on('SIGTERM', () => this.onSignal('SIGTERM'));
    process.on('SIGINT', () => this.onSignal('SIGINT'));
  }

  onSignal(signal: 'SIGTERM' | 'SIGINT'): void {
    if (this.#started && signal === 'SIGINT') {
      this.#options.logger.warn({ signal }, 'second SIGINT: exiting without waiting for the drain');
      this.#exit(130);
      return;
    }
    this.start(signal);
  }

  /** Starts the drain; later calls only log. `reason` is the signal or `POST /drain`. */
  start(reason: string): void {
    const { logger, delayMs } = this.#options;
    if (this.#started) {
      logger.info({ reason }, 'already draining; the drain goes on');
      return;
    }
    this.#started = true;
    logger.info(
      { reason, drainDelayMs: delayMs },
      'draining: readiness now fails; listeners keep accepting for the drain delay',
    );
    this.#progress = setInterval(() => this.logProgress('draining'), this.#options.progressIntervalMs);
    const timeoutMs = this.#options.timeoutMs ?? 0;
    if (timeoutMs > 0) this.#deadline = setTimeout(() => void this.onTimeout(timeoutMs), timeoutMs);
    void this.run();
  }

  private async run(): Promise<void> {
    const { logger, dataPlane } = this.#options;
    try {
      await this.#options.onStart?.();
    } catch (err) {
      logger.error({ err }, 'drain start hook failed; draining anyway');
    }
    const waited = await delay(this.#options.delayMs, true, { signal: this.#stopDelay.signal }).catch(
      () => false,
    );
    if (!waited || this.#finished) return;
    const drained = dataPlane.drain();
    this.logProgress('listeners closed; waiting for connections to finish');
    await drained;
    if (this.#finished) return;
    this.#finished = true;
    logger.info('drained: no connection left');
    await this.shutDownAndExit(0);
  }

  private async onTimeout(timeoutMs: number): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    const { connections, inFlight } = this.#options.dataPlane.stats();
    this.#options.logger.warn(
      { drainTimeoutMs: timeoutMs, connections, inFlight },
      'drain timeout: closing what is left',
    );
    await this.#options.dataPlane.close();
    await this.shutDownAndExit(1);
  }

  private logProgress(message: string): void {
    const { connections, inFlight } = this.#options.dataPlane.stats();
    this.#options.logger.info({ connections, inFlight }, message);
  }

  private async shutDownAndExit(code: number): Promise<void> {
    clearInterval(this.#progress);
    try {
      await this.#options.onDrained();
    } catch (err) {
      this.#options.logger.error({ err }, 'shutdown step failed');
    }
    this.#exit(code);
  }

  #exit(code: number): void {
    clearInterval(this.#progress);
    clearTimeout(this.#deadline);
    this.#stopDelay.abort();
    (this.#options.exit ?? process.exit)(code);
  }
}
