// The API server double's public surface for other tests: start a server, and the types of its
// controls, hooks and error bodies.

export type { Status, StatusCause } from './errors.js';
export { kubeConfigFor, kubeconfigYaml } from './kubeconfig.js';
export type { KubeObject, ManagedFieldsEntry, ObjectMeta } from './objects.js';
export {
  type ApiServer,
  type ApiServerOptions,
  type InjectedFailure,
  type RequestRecord,
  startApiServer,
} from './server.js';
export type { GroupVersionKind, ValidateHook, ValidationIssue } from './state.js';
export { createCertificateAuthority, createServerCertificate } from './tls.js';
