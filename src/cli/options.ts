// Option parsers and defaults shared by the commands.

import { isIP } from 'node:net';
import { InvalidArgumentError, Option } from 'commander';
import { createLogger, type LogFormat, type Logger } from '../observability/logger.js';
import { parseDuration } from '../translator/durations.js';

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

/** A duration such as `15s`, `500ms` or `1m30s`, in milliseconds. */
export function parseDurationFlag(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms === 0) throw new InvalidArgumentError('must be a duration such as 15s or 500ms');
  return ms;
}

/** Like parseDurationFlag, but `0s` is accepted (a drain delay may be none). */
export function parseDelayFlag(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('must be a duration such as 5s or 500ms');
  return ms;
}

/** A duration option whose help shows its default as a duration (`15s`), not milliseconds. */
export function durationOption(flags: string, description: string, defaultMs: number): Option {
  const shown = defaultMs % 1000 === 0 ? `${defaultMs / 1000}s` : `${defaultMs}ms`;
  return new Option(flags, description).argParser(parseDurationFlag).default(defaultMs, shown);
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
