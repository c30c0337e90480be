// `gatehouse serve -f <file|dir>`: standalone mode. The file provider feeds the pipeline, the
// data plane serves traffic — in this process (`--workers 1`) or in N worker processes that all
// apply each generation before it counts as live (runtime/workers.ts) — and the admin endpoint
// (on this process) reports health, readiness and status.
//
// Start order matters: the admin endpoint first (so /readyz can answer 503 while loading), then
// the data plane, then the provider (whose first snapshot makes the process ready). SIGTERM,
// SIGINT and POST /drain drain the traffic (see runtime/drain.ts), then the process exits.

import { availableParallelism } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { type AdminServer, isLoopback, parseAdminAddress, startAdminServer } from '../../admin/server.js';
import { createDataPlane } from '../../dataplane/runtime.js';
import type { DataPlane } from '../../dataplane/types.js';
import { DemoBackends } from '../../demo/echo-backends.js';
import { registerResourceCounts, snapshotCounts } from '../../observability/controlplane-metrics.js';
import { componentLogger } from '../../observability/logger.js';
import { FileProvider } from '../../provider/file/provider.js';
import type { ResourceSnapshot } from '../../resources/kinds.js';
import { Pipeline } from '../../runtime/pipeline.js';
import { ClusterMetrics, WorkerPool } from '../../runtime/workers.js';
import { DEFAULT_CONTROLLER_NAME } from '../../translator/types.js';
import { adminRoutes } from '../admin-routes.js';
import { addOperatingOptions, type OperatingFlags, Operations } from '../operating.js';
import {
  collect,
  DEFAULT_ADMIN_ADDRESS,
  type LoggingFlags,
  loggerFromFlags,
  parseCidr,
  parseIp,
  parseLogFormat,
} from '../options.js';

interface ServeFlags extends LoggingFlags, OperatingFlags {
  file: string[];
  controllerName: string;
  bind: string;
  addressPool?: string;
  adminAddress: string;
  adminAllowRemote: boolean;
  workers: number;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError('must be an integer from 1 to 1024');
  return n;
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve traffic for Gateway API resources read (and watched) from files')
    .requiredOption('-f, --file <path>', 'a YAML/JSON file or a directory (repeatable)', collect)
    .option('--controller-name <name>', 'GatewayClass controllerName to accept', DEFAULT_CONTROLLER_NAME)
    .option('--bind <ip>', 'address for Gateways without spec.addresses', parseIp, '0.0.0.0')
    .option('--address-pool <cidr>', 'give each Gateway its own address from this range', parseCidr)
    .option(
      '--admin-address <host:port>',
      'admin endpoint (health, readiness, metrics, status, config, drain)',
      DEFAULT_ADMIN_ADDRESS,
    )
    .option('--admin-allow-remote', 'allow the admin endpoint on a non-loopback address', false)
    .option(
      '--workers <n>',
      'data-plane processes sharing the ports (1: serve in this process)',
      parseWorkers,
      availableParallelism(),
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--log-format <format>', 'json or text', parseLogFormat, 'json');
  addOperatingOptions(command).action((flags: ServeFlags) => serve(flags));
}

async function serve(flags: ServeFlags): Promise<void> {
  const root = loggerFromFlags(flags);
  const log = componentLogger(root, 'serve');
  const admin = parseAdminAddress(flags.adminAddress);
  if (!isLoopback(admin.host) && !flags.adminAllowRemote) {
    throw new Error(
      `admin address ${flags.adminAddress} is not loopback: pass --admin-allow-remote to allow it`,
    );
  }

  const ops = new Operations(flags, root);
  const options = {
    defaultBind: flags.bind,
    ...(flags.addressPool ? { addressPool: flags.addressPool } : {}),
  };
  // With workers, each worker observes its own traffic (access log); see runtime/workers.ts.
  const dataPlane: DataPlane =
    flags.workers > 1
      ? new WorkerPool({
          workers: flags.workers,
          dataPlane: options,
          log: { level: flags.logLevel, format: flags.logFormat },
          accessLog: flags.accessLog,
          logger: componentLogger(root, 'workers'),
        })
      : createDataPlane({
          ...options,
          logger: root,
          ...(ops.dataPlaneObserver ? { observer: ops.dataPlaneObserver } : {}),
        });
  const pipeline = new Pipeline({
    translate: { controllerName: flags.controllerName },
    dataPlane,
    logger: componentLogger(root, 'pipeline'),
    observer: ops.pipelineObserver,
  });
  const demo = new DemoBackends(componentLogger(root, 'demo'));
  let latest: ResourceSnapshot | undefined;
  registerResourceCounts(ops.metrics, () => snapshotCounts(latest));
  const provider = new FileProvider({
    paths: flags.file,
    logger: root,
    onSnapshot: async (snapshot, info) => {
      latest = snapshot;
      await demo.reconcile(snapshot);
      await pipeline.submit(snapshot, info.firstChangeAt);
    },
  });
  let adminServer: AdminServer | undefined;
  const drain = ops.drainOnSignals(dataPlane, async () => {
    await provider.close();
    pipeline.close();
    await dataPlane.close();
    await demo.close();
    await adminServer?.close();
    log.info('stopped');
  });
  adminServer = await startAdminServer({
    ...admin,
    logger: componentLogger(root, 'admin'),
    routes: adminRoutes(pipeline, {
      drain,
      metrics: dataPlane instanceof WorkerPool ? new ClusterMetrics(ops.metrics, dataPlane) : ops.metrics,
    }),
  });
  await provider.start();
}
