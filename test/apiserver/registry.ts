// Which resources are served right now: the built-in types plus one type per stored
// CustomResourceDefinition. The registry follows CRD writes in storage, so creating a CRD makes
// its group and versions servable at once and removing it stops them; a CRD being deleted is
// still served but refuses creates, as the real server does while it cleans up instances.

import { builtinResourceTypes } from './builtins.js';
import { CRD_RESOURCE, resourceTypeFromCrd, validateCrd } from './crds.js';
import { type ResourceType, resourceKey } from './objects.js';
import type { ChangeEvent, Storage } from './storage.js';

export interface ServedType extends ResourceType {
  /** The defining CRD is being deleted: no new instances. */
  terminating?: boolean;
}

export class Registry {
  private readonly builtins: ResourceType[];
  private readonly custom = new Map<string, ServedType>();
  private readonly unsubscribe: () => void;

  constructor(storage: Storage) {
    this.builtins = builtinResourceTypes();
    const crdType = this.builtins.find((t) => resourceKey(t) === CRD_RESOURCE);
    if (crdType) crdType.validate = validateCrd;
    for (const crd of storage.list(CRD_RESOURCE)) this.follow({ type: 'ADDED', object: crd });
    this.unsubscribe = storage.subscribe((event) => {
      if (event.resource === CRD_RESOURCE) this.follow(event);
    });
  }

  close(): void {
    this.unsubscribe();
  }

  all(): ServedType[] {
    return [...this.builtins, ...this.custom.values()];
  }

  /** The type served at group/version/plural, if any. */
  find(group: string, version: string, plural: string): ServedType | undefined {
    return this.all().find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  }

  /** The type stored under `group/plural`, whatever version it is served at. */
  byResource(resource: string): ServedType | undefined {
    return this.all().find((t) => resourceKey(t) === resource);
  }

  private follow(event: Pick<ChangeEvent, 'type' | 'object'>): void {
    const name = event.object.metadata.name ?? '';
    const type = event.type === 'DELETED' ? undefined : resourceTypeFromCrd(event.object);
    if (!type) {
      this.custom.delete(name);
      return;
    }
    this.custom.set(name, { ...type, terminating: Boolean(event.object.metadata.deletionTimestamp) });
  }
}
