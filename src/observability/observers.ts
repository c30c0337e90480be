// Fan-out of data-plane observers (metrics and access log): the data plane takes one observer.

import type { DataPlaneObserver } from '../dataplane/types.js';

export function combineObservers(
  observers: readonly (DataPlaneObserver | undefined)[],
): DataPlaneObserver | undefined {
  const present = observers.filter((o): o is DataPlaneObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return {
    onExchange(record) {
      for (const observer of present) observer.onExchange(record);
    },
    onConnection(event, connection) {
      for (const observer of present) observer.onConnection(event, connection);
    },
  };
}
