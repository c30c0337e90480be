// Logger factory: pino JSON lines by default, a plain human-readable line format on request.
// Every line carries a `component`; resource-scoped lines add `resource` (`namespace/name`) and `kind`.
// `componentLogger` replaces the component rather than adding a second one: pino writes every
// binding of a chain, so a child of a child would otherwise print `component` twice.
// Lines go to stdout through one asynchronous SonicBoom shared with the access log: one writer,
// so lines never interleave mid-line, and pino flushes it synchronously when the process exits.

import { type Logger, pino } from 'pino';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; defaults to stdoutDestination(). Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

let stdout: NodeJS.WritableStream | undefined;

/** The process's one stdout writer for log lines (asynchronous, flushed on exit). */
export function stdoutDestination(): NodeJS.WritableStream {
  stdout ??= pino.destination({ dest: 1, sync: false }) as unknown as NodeJS.WritableStream;
  return stdout;
}

export type { Logger };

/** The binding-free logger a chain starts from; children inherit it through their prototype. */
const ROOT = Symbol('gatehouse.rootLogger');
type Rooted = Logger & { [ROOT]?: Logger };

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const dest = options.destination ?? stdoutDestination();
  const stream = options.format === 'text' ? textStream(dest) : dest;
  return rooted(pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream));
}

function rooted(logger: Logger): Logger {
  (logger as Rooted)[ROOT] = logger;
  return logger;
}

/**
 * A component-scoped logger, e.g. `componentLogger(root, 'provider.file')`. On a logger that
 * already has a component, the component is replaced and its other bindings are kept.
 */
export function componentLogger(logger: Logger, component: string): Logger {
  const root = (logger as Rooted)[ROOT];
  const bindings = logger.bindings();
  if (root === undefined || !('component' in bindings)) return logger.child({ component });
  const { component: _replaced, ...rest } = bindings;
  const child = root.child({ component, ...rest });
  child.level = logger.level;
  return child;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Renders each JSON line as `time LEVEL [component] msg key=value ...`. */
function textStream(dest: NodeJS.WritableStream): NodeJS.WritableStream & { write(chunk: string): boolean } {
  return {
    write(chunk: string): boolean {
      const { time, level, component, msg, ...rest } = JSON.parse(chunk) as Record<string, unknown>;
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const line = `${time} ${LEVELS[level as number] ?? level} [${component ?? '-'}] ${msg ?? ''}${fields ? ` ${fields}` : ''}\n`;
      return dest.write(line);
    },
  } as unknown as NodeJS.WritableStream & { write(chunk: string): boolean };
}

/** A logger that drops everything (for library use and quiet tests). */
export function silentLogger(): Logger {
  return rooted(pino({ level: 'silent' }));
}
