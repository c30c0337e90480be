// `npm run e2e:kube -- --kubeconfig <path>`: the Kubernetes end-to-end scenario against a real
// cluster's API server. Prints each step as it runs and a summary; exits 0 only when every step
// passed and cleanup removed everything. Ctrl-C stops the current step and still cleans up (a
// second Ctrl-C quits at once, leaving the objects behind).

import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { runKubeScenario } from './scenario.js';

interface Flags {
  kubeconfig?: string;
  context?: string;
  keep: boolean;
  timeout: number;
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError('a number of seconds above 0');
  return seconds;
}

/** --kubeconfig, else $KUBECONFIG when it names exactly one file. */
function kubeconfigPath(flag: string | undefined): string {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  const path = flag ?? (fromEnv.length === 1 ? fromEnv[0] : undefined);
  if (!path) {
    throw new Error(
      fromEnv.length > 1
        ? 'KUBECONFIG lists several files: pass the one to use with --kubeconfig <path>'
        : 'no kubeconfig: pass --kubeconfig <path> or set KUBECONFIG',
    );
  }
  if (!existsSync(path)) throw new Error(`kubeconfig ${path} does not exist`);
  return path;
}

async function main(flags: Flags): Promise<number> {
  const kubeconfig = kubeconfigPath(flags.kubeconfig);
  const aborter = new AbortController();
  const interrupt = () => {
    if (aborter.signal.aborted) process.exit(130);
    console.log('interrupted: cleaning up (Ctrl-C again to quit at once and leave the objects behind)');
    aborter.abort();
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
  const started = Date.now();
  const report = await runKubeScenario({
    kubeconfig,
    ...(flags.context ? { context: flags.context } : {}),
    keep: flags.keep,
    timeoutMs: flags.timeout * 1000,
    signal: aborter.signal,
    log: (line) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${line}`),
  });
  return report.passed && report.cleanupProblems.length === 0 ? 0 : 1;
}

const program = new Command('e2e:kube')
  .description(
    'run gatehouse controller against a cluster with the Gateway API CRDs and check the statuses it writes ' +
      '(creates a Namespace and two GatewayClasses of its own, and deletes them at the end)',
  )
  .option('--kubeconfig <path>', 'kubeconfig of the cluster (default: $KUBECONFIG)')
  .option('--context <name>', 'kubeconfig context (default: its current-context)')
  .option('--keep', 'leave the created objects in place to inspect them', false)
  .option('--timeout <seconds>', 'how long each wait may take', positiveSeconds, 30)
  .action(async (flags: Flags) => {
    process.exitCode = await main(flags);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`e2e:kube: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
});
