/** Every ported conformance case; the catalogue in harness/profiles.ts lists the rest. */
import type { ConformanceTest } from '../harness/suite.js';
import * as backendTls from './backend-tls.js';
import * as gatewayListeners from './gateway-listeners.js';
import * as gatewayStatus from './gateway-status.js';
import * as gatewayTls from './gateway-tls.js';
import * as cors from './httproute-cors.js';
import * as filters from './httproute-filters.js';
import * as hostnames from './httproute-hostnames.js';
import * as matching from './httproute-matching.js';
import * as protocols from './httproute-protocols.js';
import * as redirects from './httproute-redirects.js';
import * as references from './httproute-references.js';
import * as serviceTypes from './httproute-service-types.js';
import * as traffic from './httproute-traffic.js';

const modules: Record<string, ConformanceTest>[] = [
  backendTls,
  gatewayTls,
  gatewayListeners,
  gatewayStatus,
  cors,
  filters,
  hostnames,
  matching,
  protocols,
  redirects,
  references,
  serviceTypes,
  traffic,
];

export const PORTED_TESTS: readonly ConformanceTest[] = modules.flatMap((m) => Object.values(m));
