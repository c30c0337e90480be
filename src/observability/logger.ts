// Logger factory: pino JSON lines by default, a plain human-readable line format on request.
// Every line carries a `component`; resource-scoped lines add `resource` (`namespace/name`) and `kind`.

import { type Logger, pino } from 'pino';

export type LogFormat = 'json' | 'text';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture them. */
  destination?: NodeJS.WritableStream;
}

export type { Logger };

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const dest = options.destination ?? process.stdout;
  if (options.format === 'text') {
    return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, textStream(dest));
  }
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, dest);
}

/** A component-scoped child logger, e.g. `componentLogger(root, 'provider.file')`. */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
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
  return pino({ level: 'silent' });
}
