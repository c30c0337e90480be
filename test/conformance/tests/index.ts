/** Every ported conformance case; the catalogue in harness/profiles.ts lists the rest. */
import type { ConformanceTest } from '../harness/suite.js';
import { HTTPRouteSimpleSameNamespace } from './httproute-simple-same-namespace.js';

export const PORTED_TESTS: readonly ConformanceTest[] = [HTTPRouteSimpleSameNamespace];
