// Helpers for the double's own tests: reading the Status out of a client-node ApiException,
// raw HTTP requests for what the typed client cannot send, and an event collector that lets a
// test await "the watch has delivered X" without sleeping.

import assert from 'node:assert/strict';
import { ApiException, type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Status } from './errors.js';
import type { ApiServer } from './server.js';

/** Awaits `promise`, expects it to fail with an HTTP `code`, and returns the Status body. */
export async function rejection(promise: Promise<unknown>, code: number): Promise<Status> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    assert.equal(err.code, code, `expected HTTP ${code}, got ${err.code}: ${String(err.body)}`);
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    assert.equal(body.kind, 'Status');
    assert.equal(body.code, code);
    return body as Status;
  }
  assert.fail(`expected HTTP ${code}, but the request succeeded`);
}

export interface RawResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request with fetch; the body is sent as JSON unless it is a string. */
export async function raw(
  server: ApiServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const init: RequestInit = { method, headers: { 'Content-Type': contentType } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`${server.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface WatchEvent {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: watch payloads are arbitrary Kubernetes objects
  object: any;
}

/** Gathers events and lets a test wait for a condition on them. */
export class EventLog {
  readonly events: WatchEvent[] = [];
  ended = false;
  endError: unknown;
  private waiters: (() => void)[] = [];

  push(event: WatchEvent): void {
    this.events.push(event);
    this.wake();
  }

  end(err: unknown): void {
    this.ended = true;
    this.endError = err;
    this.wake();
  }

  /** Resolves once `condition` holds (checked after every event and at the end). */
  async until(condition: (log: EventLog) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition(this)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        assert.fail(`timed out waiting for ${what}; saw ${JSON.stringify(this.summary())}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  summary(): string[] {
    return this.events.map(
      (e) => `${e.type} ${e.object?.metadata?.name ?? ''}@${e.object?.metadata?.resourceVersion ?? ''}`,
    );
  }

  names(type?: string): string[] {
    return this.events.filter((e) => !type || e.type === type).map((e) => e.object.metadata.name as string);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export interface RunningWatch {
  log: EventLog;
  abort(): void;
}

/** Starts a client-node Watch on `path` and records what it delivers. */
export async function startWatch(
  config: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean> = {},
): Promise<RunningWatch> {
  const log = new EventLog();
  const controller = await new Watch(config).watch(
    path,
    query,
    (type, object) => log.push({ type, object }),
    (err) => log.end(err),
  );
  return { log, abort: () => controller.abort() };
}
