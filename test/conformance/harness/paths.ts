/**
 * Where the harness finds its inputs, relative to the repository root (this module compiles to
 * dist/test/conformance/harness/): the vendored CRDs, the built CLI, and the upstream conformance
 * manifests, vendored in `conformance/upstream` unless GATEWAY_API_CONFORMANCE_DIR names another
 * copy.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CRD_DIR = resolve(REPO_ROOT, 'crds/standard');
export const CLI_MAIN = resolve(REPO_ROOT, 'dist/src/cli/main.js');
export const MANIFEST_DIR = resolve(
  process.env.GATEWAY_API_CONFORMANCE_DIR ?? resolve(REPO_ROOT, 'conformance/upstream'),
);
