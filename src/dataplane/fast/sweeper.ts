// One timer for every periodic check of the fast engine (idle keep-alive connections on both
// sides, heads that take too long), instead of a timer per connection or per request. The clock it
// keeps (`coarseNow`, in ms, refreshed each second) is what those checks compare against, so the
// request path never reads the time for them.
//
// The checks run in the event loop's check phase, after its poll phase, not in the timers phase
// before it: a request that reached an idle connection while the loop was busy is read first, so
// the connection is no longer idle, instead of being closed with the request unread (the client
// would get a reset for a request it may not retry).

export interface Sweep {
  cancel(): void;
}

const sweeps = new Set<(now: number) => void>();
let timer: NodeJS.Timeout | undefined;
let now = performance.now();

/** Milliseconds, at most one second old. */
export function coarseNow(): number {
  return now;
}

/** Calls `check(now)` about once a second until cancelled; never keeps the process alive. */
export function everySecond(check: (now: number) => void): Sweep {
  sweeps.add(check);
  now = performance.now();
  if (timer === undefined) {
    timer = setInterval(tick, 1000);
    timer.unref();
  }
  return {
    cancel() {
      sweeps.delete(check);
      if (sweeps.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}

function tick(): void {
  setImmediate(runChecks).unref();
}

function runChecks(): void {
  now = performance.now();
  for (const check of sweeps) check(now);
}
