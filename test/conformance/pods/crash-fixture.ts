/**
 * A test fixture, run as its own process by pod-network.test: builds a pod network with one pod,
 * prints its names as one JSON line and then waits to be killed (SIGKILL skips every cleanup).
 */
import { PodNetwork } from './pod-network.js';

const network = await PodNetwork.create();
const pod = await network.startPod({ name: 'orphan', namespace: 'ns' });
const { netns, hostLink, subnet } = network;
process.stdout.write(`${JSON.stringify({ netns, hostLink, subnet, podPid: pod.pid })}\n`);
setInterval(() => {}, 60_000);
