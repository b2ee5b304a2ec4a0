/** A cycle in the service dependency graph, named from the service whose dependency entry closes it. */
export interface DependencyCycle {
  readonly names: ReadonlyArray<string>;
  readonly serviceIndex: number;
  readonly dependencyIndex: number;
}

interface GraphService {
  readonly name: string;
  readonly dependencies: ReadonlyArray<{ readonly service: string }>;
}

/** Every distinct cycle reachable by depth-first search, each reported once whatever service it is entered from. */
export function findDependencyCycles(services: ReadonlyArray<GraphService>): DependencyCycle[] {
  const indexByName = new Map(services.map((service, index) => [service.name, index]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: DependencyCycle[] = [];
  const seen = new Set<string>();

  const visit = (index: number): void => {
    const service = services[index];
    if (service === undefined) return;
    state.set(service.name, 'visiting');
    stack.push(service.name);
    service.dependencies.forEach((dependency, dependencyIndex) => {
      const target = indexByName.get(dependency.service);
      if (target === undefined) return;
      const targetState = state.get(dependency.service);
      if (targetState === 'visiting') {
        const members = stack.slice(stack.indexOf(dependency.service));
        const key = [...members].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push({ names: [...members, dependency.service], serviceIndex: index, dependencyIndex });
        }
      } else if (targetState === undefined) {
        visit(target);
      }
    });
    stack.pop();
    state.set(service.name, 'done');
  };

  services.forEach((service, index) => {
    if (!state.has(service.name)) visit(index);
  });
  return cycles;
}
