/**
 * What the kata created, as kubectl reported it on the host: `deployment.apps/nginx created`,
 * `service/nginx exposed`. After cleanup the cluster is asked whether each is gone.
 */
import type { CreatedObject } from './ports.js';
import { omitUndefined } from '../omit-undefined.js';

const CREATED = /^([a-z0-9.-]+)\/([a-z0-9][a-z0-9.-]*) (created|exposed)\b/;

/** Records objects from the output lines of a host command. */
export class Journal {
  private readonly objects = new Map<string, CreatedObject>();

  /** `onChange` hears of every object recorded (the run's record on disk follows the journal). */
  constructor(private readonly onChange: (objects: readonly CreatedObject[]) => void = () => {}) {}

  /**
   * What reads the output lines of the host command `command`: a function that records and
   * returns each object a line reports created, or undefined when the command cannot report any
   * (no kubectl in it), so that its lines, floods included, cost nothing here.
   */
  reader(command: string): ((line: string) => CreatedObject | undefined) | undefined {
    if (!command.includes('kubectl')) return undefined;
    const namespace = /(?:^|\s)(?:-n|--namespace)[ =]([a-z0-9-]+)/.exec(command)?.[1];
    return (line) => {
      // Cheap tests first: this sees every line the command prints.
      if (line.length > 300 || (!line.includes(' created') && !line.includes(' exposed'))) return undefined;
      const match = CREATED.exec(line.trim());
      if (match === null) return undefined;
      const object: CreatedObject = {
        resource: match[1] as string,
        name: match[2] as string,
        ...omitUndefined({ namespace }),
      };
      this.add(object);
      return object;
    };
  }

  /** Records an object the kata made without kubectl saying so (a pod of a deployment it created). */
  add(object: CreatedObject): void {
    const key = `${object.namespace ?? ''}/${object.resource}/${object.name}`;
    if (this.objects.has(key)) return;
    this.objects.set(key, object);
    this.onChange(this.list());
  }

  /** True when the kata created a workload named `name` (deployment, statefulset, daemonset, replicaset, job). */
  createdWorkload(name: string): boolean {
    return this.list().some(
      (o) => o.name === name && /^(deployment|statefulset|daemonset|replicaset)\.apps$|^job\.batch$/.test(o.resource),
    );
  }

  /** Everything recorded, in order. */
  list(): CreatedObject[] {
    return [...this.objects.values()];
  }
}

/** `deployment.apps/nginx` (with `-n ns` when it had one). */
export function objectName(o: CreatedObject): string {
  return `${o.resource}/${o.name}${o.namespace === undefined ? '' : ` -n ${o.namespace}`}`;
}
