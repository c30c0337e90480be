// Test helper: a logger whose JSON lines are captured in memory, with a wait for a line.

import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger, type LogFormat, type Logger } from './logger.js';

export type CapturedLine = Record<string, unknown>;

export interface CapturedLogger {
  logger: Logger;
  /** Parsed JSON lines (text format: the raw line under `text`). */
  lines: CapturedLine[];
  /** Resolves with the first line, past or future, that matches. */
  waitFor(predicate: (line: CapturedLine) => boolean): Promise<CapturedLine>;
}

export function captureLogger(options: { level?: string; format?: LogFormat } = {}): CapturedLogger {
  const lines: CapturedLine[] = [];
  const events = new EventEmitter();
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString().trimEnd();
      const line = options.format === 'text' ? { text } : (JSON.parse(text) as CapturedLine);
      lines.push(line);
      events.emit('line', line);
      callback();
    },
  });
  const logger = createLogger({ level: options.level ?? 'debug', ...options, destination });
  return {
    logger,
    lines,
    waitFor(predicate) {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => {
        const onLine = (line: CapturedLine) => {
          if (!predicate(line)) return;
          events.off('line', onLine);
          resolve(line);
        };
        events.on('line', onLine);
      });
    },
  };
}
