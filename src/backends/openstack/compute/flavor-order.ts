// ListFlavors' name-substring filter and sort orders, applied by oaktree (nova has neither a name filter for
// flavors nor a sort on the normalized fields), with a fixed tie-break so every cloud gives one order.
import { type Flavor, FlavorSort, type ListFlavorsRequest } from '../../../gen/oaktree/v1/compute.ts';

type Key = (f: Flavor) => number | string;

const ORDERS: Record<Exclude<FlavorSort, FlavorSort.FLAVOR_SORT_UNSPECIFIED | FlavorSort.UNRECOGNIZED>, Key[]> = {
  [FlavorSort.FLAVOR_SORT_RAM]: [(f) => f.ramMb, (f) => f.vcpus],
  [FlavorSort.FLAVOR_SORT_VCPUS]: [(f) => f.vcpus, (f) => f.ramMb],
  [FlavorSort.FLAVOR_SORT_DISK]: [(f) => f.diskGb, (f) => f.ramMb],
  [FlavorSort.FLAVOR_SORT_NAME]: [],
};

/** Whether a flavor's name contains the request's text, ignoring case. */
export function nameContains(request: ListFlavorsRequest): (name: string) => boolean {
  const wanted = request.nameContains.toLowerCase();
  return (name) => !wanted || name.toLowerCase().includes(wanted);
}

/** The comparison for the request's order, or undefined to keep the cloud's order (and stream as it comes). */
export function flavorOrder(request: ListFlavorsRequest): ((a: Flavor, b: Flavor) => number) | undefined {
  const keys = ORDERS[request.sortBy as keyof typeof ORDERS];
  if (!keys) return undefined;
  const all: Key[] = [...keys, (f) => f.name, (f) => f.id];
  const direction = request.sortDescending ? -1 : 1;
  return (a, b) => {
    for (const key of all) {
      const [x, y] = [key(a), key(b)];
      if (x !== y) return (x < y ? -1 : 1) * direction;
    }
    return 0;
  };
}
