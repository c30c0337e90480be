// Option parsers and defaults shared by the commands.

import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';
import { createLogger, type LogFormat, type Logger } from '../observability/logger.js';

export const DEFAULT_ADMIN_ADDRESS = '127.0.0.1:9901';

export function parseLogFormat(value: string): LogFormat {
  if (value !== 'json' && value !== 'text') throw new InvalidArgumentError('must be "json" or "text"');
  return value;
}

export function parseIp(value: string): string {
  if (isIP(value) === 0) throw new InvalidArgumentError('must be an IP address');
  return value;
}

export function parseCidr(value: string): string {
  const [ip, bits] = value.split('/');
  const max = isIP(ip ?? '') === 6 ? 128 : 32;
  if (isIP(ip ?? '') === 0 || !/^\d+$/.test(bits ?? '') || Number(bits) > max) {
    throw new InvalidArgumentError('must be a CIDR such as 127.0.10.0/24');
  }
  return value;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/** `500ms`, `5s`, `1.5m`, or a bare number of seconds; returns milliseconds. */
export function parseDuration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (match === null) throw new InvalidArgumentError('must be a duration such as 500ms, 5s or 2m');
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface LoggingFlags {
  logLevel: string;
  logFormat: LogFormat;
}

export function loggerFromFlags(flags: LoggingFlags): Logger {
  return createLogger({ level: flags.logLevel, format: flags.logFormat });
}
