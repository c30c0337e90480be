/**
 * The test context a conformance case runs in, shaped like Go's testing.T as the upstream suite
 * uses it: `log`, `fatal` (stop this (sub)test), `error` (mark failed, go on), `run` (a named
 * subtest; a failure there fails the parent but does not stop it), `parallel` (subtests run
 * together, as upstream's `t.Parallel()` cases do) and `cleanup` (run last-in-first-out when the
 * test ends, even after a failure). Log lines are kept per test and shown with its failures.
 */
import { performance } from 'node:perf_hooks';

/** Thrown by `fatal` to unwind the current (sub)test; caught by `run`. */
export class FatalFailure extends Error {
  override name = 'FatalFailure';
}

export interface TestOutcome {
  name: string;
  passed: boolean;
  /** Failure messages, each prefixed with the subtest path it came from. */
  failures: string[];
  logs: string[];
  durationMs: number;
}

type Cleanup = () => void | Promise<void>;

export class T {
  private readonly failures: string[] = [];
  private readonly cleanups: Cleanup[] = [];
  private readonly started = performance.now();

  private constructor(
    readonly name: string,
    private readonly lines: string[],
    private readonly parent?: T,
  ) {}

  /** Runs `fn` as a top-level test and reports its outcome; never throws for test failures. */
  static async runTest(name: string, fn: (t: T) => Promise<void>): Promise<TestOutcome> {
    const t = new T(name, []);
    await t.execute(fn);
    return {
      name,
      passed: t.failures.length === 0,
      failures: [...t.failures],
      logs: [...t.lines],
      durationMs: performance.now() - t.started,
    };
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  log(message: string): void {
    const seconds = ((performance.now() - this.root().started) / 1000).toFixed(2);
    this.lines.push(`[${seconds}s] ${this.name}: ${message}`);
  }

  /** Records a failure and stops this (sub)test. */
  fatal(message: string): never {
    this.error(message);
    throw new FatalFailure(message);
  }

  /** Records a failure; the (sub)test goes on. */
  error(message: string): void {
    this.log(`FAIL: ${message}`);
    this.recordFailure(`${this.name}: ${message}`);
  }

  cleanup(fn: Cleanup): void {
    this.cleanups.push(fn);
  }

  /** A named subtest; resolves true when it passed. */
  async run(name: string, fn: (t: T) => Promise<void>): Promise<boolean> {
    const child = new T(`${this.name}/${name}`, this.lines, this);
    await child.execute(fn);
    return !child.failed;
  }

  /** Subtests that run concurrently, as upstream's parallel test cases. */
  async parallel(cases: readonly [name: string, fn: (t: T) => Promise<void>][]): Promise<void> {
    await Promise.all(cases.map(([name, fn]) => this.run(name, fn)));
  }

  private root(): T {
    return this.parent ? this.parent.root() : this;
  }

  private recordFailure(message: string): void {
    this.failures.push(message);
    this.parent?.recordFailure(message);
  }

  private async execute(fn: (t: T) => Promise<void>): Promise<void> {
    try {
      await fn(this);
    } catch (error) {
      if (!(error instanceof FatalFailure)) this.error(`unexpected error: ${describeError(error)}`);
    } finally {
      await this.runCleanups();
    }
  }

  private async runCleanups(): Promise<void> {
    while (this.cleanups.length > 0) {
      const cleanup = this.cleanups.pop()!;
      try {
        await cleanup();
      } catch (error) {
        this.error(`cleanup failed: ${describeError(error)}`);
      }
    }
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it answers true (like apimachinery's
 * PollUntilContextTimeout with immediate=true); fails the test with `what` and the last reason
 * `check` gave after `timeoutMs`. A check that throws ends the wait at once, as a Go condition
 * function returning an error does.
 */
export async function poll(
  t: T,
  what: string,
  intervalMs: number,
  timeoutMs: number,
  check: () => Promise<true | string>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'never checked';
  for (;;) {
    let result: true | string;
    try {
      result = await check();
    } catch (error) {
      t.fatal(`${what}: ${describeError(error)}`);
    }
    if (result === true) return;
    last = result;
    if (performance.now() + intervalMs > deadline) break;
    await sleep(intervalMs);
  }
  t.fatal(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last state: ${last}`);
}
