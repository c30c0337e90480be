// `gatehouse controller`: its flags. The mode itself (cli/modes/controller.ts, with the
// Kubernetes client) is loaded only when the command runs.

import type { Command } from 'commander';
import { DEFAULT_LEADER_TIMINGS } from '../../runtime/defaults.js';
import { addOperatingOptions, addServingOptions, durationOption, type ServingFlags } from '../options.js';

export interface ControllerFlags extends ServingFlags {
  kubeconfig?: string;
  context?: string;
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
    .option('--context <name>', 'kubeconfig context');
  addServingOptions(command);
  addLeaderElectionOptions(command);
  addOperatingOptions(command).action(async (flags: ControllerFlags) => {
    const { runController } = await import('../modes/controller.js');
    await runController(flags);
  });
}

function addLeaderElectionOptions(command: Command): void {
  command
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
    );
}
