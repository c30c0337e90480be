// Option parsers and the option groups shared by the commands. Imports nothing heavy: the CLI
// registers every command (and `--help` shows every default) without loading the runtime.

import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS } from '../dataplane/types.js';
import type { LogFormat } from '../observability/logger.js';
import { DEFAULT_DRAIN_DELAY_MS, DEFAULT_DRAIN_PROGRESS_MS } from '../runtime/defaults.js';
import { parseDuration } from '../translator/durations.js';
import { DEFAULT_CONTROLLER_NAME } from '../translator/types.js';

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

/** What every command that serves traffic (serve, controller) accepts. */
export interface ServingFlags extends LoggingFlags, OperatingFlags {
  controllerName: string;
  bind: string;
  addressPool?: string;
  adminAddress: string;
  adminAllowRemote: boolean;
  /** Milliseconds. */
  keepAliveTimeout: number;
}

export interface OperatingFlags {
  /** Milliseconds. */
  drainDelay: number;
  drainTimeout?: number;
  drainProgressInterval: number;
  accessLog: string;
}

export function addControllerNameOption(command: Command): Command {
  return command.option(
    '--controller-name <name>',
    'GatewayClass controllerName to accept',
    DEFAULT_CONTROLLER_NAME,
  );
}

export function addServingOptions(command: Command): Command {
  return addControllerNameOption(command)
    .option('--bind <ip>', 'address for Gateways without spec.addresses', parseIp, '0.0.0.0')
    .option('--address-pool <cidr>', 'give each Gateway its own address from this range', parseCidr)
    .option(
      '--admin-address <host:port>',
      'admin endpoint (health, readiness, metrics, status, config, drain)',
      DEFAULT_ADMIN_ADDRESS,
    )
    .option('--admin-allow-remote', 'allow the admin endpoint on a non-loopback address', false)
    .addOption(
      durationOption(
        '--keep-alive-timeout <duration>',
        'close client connections idle this long between requests',
        DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      ),
    );
}

/** Logging, drain and access-log options: added last, so every command's help ends alike. */
export function addOperatingOptions(command: Command): Command {
  return command
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--log-format <format>', 'json or text', parseLogFormat, 'json')
    .addOption(
      new Option(
        '--drain-delay <duration>',
        'after SIGTERM, keep accepting this long while load balancers stop sending traffic',
      )
        .argParser(parseDelayFlag)
        .default(DEFAULT_DRAIN_DELAY_MS, '5s'),
    )
    .addOption(
      new Option(
        '--drain-timeout <duration>',
        "give up draining after this long and exit 1 (default: none; the platform's SIGKILL ends it)",
      ).argParser(parseDurationFlag),
    )
    .addOption(
      new Option('--drain-progress-interval <duration>', 'how often a drain logs its progress')
        .argParser(parseDurationFlag)
        .default(DEFAULT_DRAIN_PROGRESS_MS, '10s')
        .hideHelp(),
    )
    .option('--access-log <target>', 'access log: off, stdout, or a file to append to', 'stdout');
}
