/**
 * The pod network on this host (root and iproute2 needed; skipped otherwise): pods answer at their
 * own routable addresses with their own names, their logs are kept with times, and destroy() — or
 * the sweep after a crashed owner — leaves no namespace, veth, route or process behind.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fetchOnce } from '../echo/test-client.js';
import { isAlive } from './cleanup.js';
import { type Pod, PodNetwork, podNetworkUnavailableReason } from './pod-network.js';
import { logClock } from './pod-process.js';

const run = promisify(execFile);
const skip = await podNetworkUnavailableReason();

async function ipOutput(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

async function exited(pid: number): Promise<void> {
  // Another process's exit has no event to await here; poll its /proc entry briefly.
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
}

async function assertGone(netns: string, hostLink: string, subnet: string, pids: number[]): Promise<void> {
  assert.ok(!(await ipOutput('netns', 'list')).includes(netns), `namespace ${netns} is still there`);
  assert.ok(!(await ipOutput('-o', 'link', 'show')).includes(hostLink), `link ${hostLink} is still there`);
  assert.ok(!(await ipOutput('-4', 'route', 'show')).includes(subnet), `route to ${subnet} is still there`);
  for (const pid of pids) {
    await exited(pid);
    assert.ok(!isAlive(pid), `pod process ${pid} is still running`);
  }
}

describe('pod network', { skip }, () => {
  let network: PodNetwork;
  let v1: Pod;
  let v2: Pod;

  before(async () => {
    network = await PodNetwork.create();
    [v1, v2] = await Promise.all([
      network.startPod({ name: 'infra-backend-v1-6d8f-a1', namespace: 'gateway-conformance-infra' }),
      network.startPod({ name: 'infra-backend-v2-6d8f-b2', namespace: 'gateway-conformance-infra' }),
    ]);
  });
  after(() => network?.destroy());

  it('gives each pod its own address in the subnet, neither loopback nor link-local', () => {
    assert.notEqual(v1.ip, v2.ip);
    for (const pod of [v1, v2]) {
      assert.ok(!pod.ip.startsWith('127.') && !pod.ip.startsWith('169.254.'), pod.ip);
      assert.equal(pod.ip.split('.').slice(0, 3).join('.'), network.subnet.split('.').slice(0, 3).join('.'));
    }
  });

  it('reaches each pod from the host at its own address, answered by that pod', async () => {
    for (const pod of [v1, v2]) {
      const res = await fetchOnce(`http://${pod.ip}:3000/whoami`);
      const echo = JSON.parse(res.body);
      assert.equal(echo.pod, pod.name);
      assert.equal(echo.namespace, 'gateway-conformance-infra');
      assert.equal(echo.httpPort, '3000');
    }
  });

  it('keeps each pod log with times, so logs since a moment work', async () => {
    await fetchOnce(`http://${v2.ip}:3000/mirror?id=first`);
    await v2.waitForLog('/mirror?id=first');
    const since = logClock();
    await fetchOnce(`http://${v2.ip}:3000/mirror?id=second`);
    await v2.waitForLog('/mirror?id=second');
    const recent = v2.logs(since);
    assert.ok(
      recent.startsWith(`Echoing back request made to /mirror?id=second to client (${network.gateway}:`),
      recent,
    );
    assert.ok(!recent.includes('id=first'), recent);
    assert.ok(v2.logs().includes('Echoing back request made to /mirror?id=first'));
    assert.ok(!v1.logs().includes('/mirror'), 'a request to v2 shows up in v1');
  });

  it('sees the host connect from the gateway address', async () => {
    const res = await fetchOnce(`http://${v1.ip}:3000/from`);
    await v1.waitForLog(`to client (${network.gateway}:${res.localPort})`);
  });

  it('restarts a stopped pod on the same address', async () => {
    const extra = await network.startPod({ name: 'restartable', namespace: 'ns', ports: { http: 8080 } });
    await extra.stop();
    await assert.rejects(fetchOnce(`http://${extra.ip}:8080/`), { code: 'ECONNREFUSED' });
    const again = await network.startPod({
      name: 'restarted',
      namespace: 'ns',
      ip: extra.ip,
      ports: { http: 8080 },
    });
    assert.equal(JSON.parse((await fetchOnce(`http://${again.ip}:8080/`)).body).pod, 'restarted');
  });

  it('stays reachable with strict reverse-path filtering on both ends and no IP forwarding', async () => {
    await run('sysctl', ['-qw', `net.ipv4.conf.${network.hostLink}.rp_filter=1`]);
    await run('ip', ['netns', 'exec', network.netns, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1']);
    await run('ip', ['netns', 'exec', network.netns, 'sysctl', '-qw', 'net.ipv4.conf.eth0.rp_filter=1']);
    await run('ip', ['netns', 'exec', network.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    assert.equal((await fetchOnce(`http://${v1.ip}:3000/strict`)).status, 200);
  });

  it('uses a given subnet and says so when it runs out of addresses', async () => {
    // A /30 holds the gateway (.1) and one pod (.2); pick one at random so parallel runs do not collide.
    const subnet = `198.19.${randomInt(200, 256)}.${4 * randomInt(64)}/30`;
    const small = await PodNetwork.create({ subnet });
    try {
      assert.equal(small.subnet, subnet);
      const only = await small.allocate();
      assert.equal(only.split('.')[3], String(Number(subnet.split('.')[3]!.split('/')[0]) + 2));
      await assert.rejects(small.allocate(), /no free addresses left in/);
    } finally {
      await small.destroy();
    }
  });

  it('leaves no namespace, veth, route or process after destroy()', async () => {
    const doomed = await PodNetwork.create();
    const pod = await doomed.startPod({ name: 'doomed', namespace: 'ns' });
    assert.ok((await ipOutput('netns', 'list')).includes(doomed.netns));
    await doomed.destroy();
    await assertGone(doomed.netns, doomed.hostLink, doomed.subnet, [pod.pid]);
  });
});

describe('pod network after its owner is killed', { skip }, () => {
  const crasher = fileURLToPath(new URL('./crash-fixture.js', import.meta.url));

  it('loses its pods at once and is swept by the next create()', async () => {
    const child = spawn(process.execPath, [crasher], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { netns, hostLink, subnet, podPid } = JSON.parse(line.toString());
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The pod notices its parent is gone (stdin EOF) and exits by itself.
    await exited(podPid);
    assert.ok(!isAlive(podPid), 'the pod outlived its killed owner');
    assert.ok((await ipOutput('netns', 'list')).includes(netns), 'SIGKILL cannot clean the namespace up');
    const sweeper = await PodNetwork.create();
    await sweeper.destroy();
    await assertGone(netns, hostLink, subnet, []);
  });
});
