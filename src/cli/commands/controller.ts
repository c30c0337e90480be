// `gatehouse controller`: Kubernetes mode. The Kubernetes provider feeds the same pipeline as
// `serve`; statuses go back to the API through the status writer, and only the elected leader
// writes. Until per-Gateway proxies are provisioned, this process also serves the traffic.
//
// Start order: admin (so /readyz answers 503 while syncing), data plane, leader election, then
// the provider, whose first snapshot only arrives after every kind has listed once. SIGTERM,
// SIGINT and POST /drain release the Lease at once (the standby takes over status), drain the
// traffic while the watches keep endpoints current, then stop (see runtime/drain.ts).

import type { Command } from 'commander';
import { DEFAULT_LEADER_TIMINGS } from '../../runtime/leader/timings.js';
import { DEFAULT_CONTROLLER_NAME } from '../../translator/types.js';
import { addOperatingOptions, type OperatingFlags } from '../operating.js';
import {
  DEFAULT_ADMIN_ADDRESS,
  durationOption,
  type LoggingFlags,
  parseCidr,
  parseIp,
  parseLogFormat,
} from '../options.js';

export interface ControllerFlags extends LoggingFlags, OperatingFlags {
  kubeconfig?: string;
  context?: string;
  controllerName: string;
  bind: string;
  addressPool?: string;
  adminAddress: string;
  adminAllowRemote: boolean;
  leaderElection: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId?: string;
  leaseName: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
}

export function registerController(program: Command): void {
  const command = program
    .command('controller')
    .description('watch the Kubernetes API, write Gateway API status, and serve the traffic')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--controller-name <name>', 'GatewayClass controllerName to accept', DEFAULT_CONTROLLER_NAME)
    .option('--bind <ip>', 'address for Gateways without spec.addresses', parseIp, '0.0.0.0')
    .option('--address-pool <cidr>', 'give each Gateway its own address from this range', parseCidr)
    .option(
      '--admin-address <host:port>',
      'admin endpoint (health, readiness, metrics, status, config, drain)',
      DEFAULT_ADMIN_ADDRESS,
    )
    .option('--admin-allow-remote', 'allow the admin endpoint on a non-loopback address', false)
    .option('--no-leader-election', 'write status without electing a leader (single replica only)')
    .option(
      '--leader-election-namespace <ns>',
      'namespace of the Lease (default: $POD_NAMESPACE or in-cluster)',
    )
    .option(
      '--leader-election-id <id>',
      'this replica identity, also sent in the User-Agent (default: $POD_NAME or hostname)',
    )
    .option('--lease-name <name>', 'name of the Lease', 'gatehouse-controller')
    .addOption(
      durationOption(
        '--lease-duration <duration>',
        'how long standbys wait before taking an unrenewed lease',
        DEFAULT_LEADER_TIMINGS.leaseDurationMs,
      ),
    )
    .addOption(
      durationOption(
        '--renew-deadline <duration>',
        'how long the leader keeps trying to renew before it steps down',
        DEFAULT_LEADER_TIMINGS.renewDeadlineMs,
      ),
    )
    .addOption(
      durationOption(
        '--retry-period <duration>',
        'time between attempts to acquire or renew the lease',
        DEFAULT_LEADER_TIMINGS.retryPeriodMs,
      ),
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--log-format <format>', 'json or text', parseLogFormat, 'json');
  // The Kubernetes client is loaded only when this command runs: `serve` does without it.
  addOperatingOptions(command).action(async (flags: ControllerFlags) => {
    const { runController } = await import('./controller-run.js');
    await runController(flags);
  });
}
