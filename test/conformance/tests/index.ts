/** Every ported conformance case; the catalogue in harness/profiles.ts lists the rest. */
import type { ConformanceTest } from '../harness/suite.js';
import * as gatewayListeners from './gateway-listeners.js';
import * as gatewayStatus from './gateway-status.js';
import * as hostnames from './httproute-hostnames.js';
import * as matching from './httproute-matching.js';
import * as references from './httproute-references.js';

const modules: Record<string, ConformanceTest>[] = [gatewayListeners, gatewayStatus, hostnames, matching, references];

export const PORTED_TESTS: readonly ConformanceTest[] = modules.flatMap((m) => Object.values(m));
