// The in-band error item: how one location's failure travels inside a list stream without sinking the others.
import type { Status } from 'nice-grpc-common';
import type { Location } from '../gen/oaktree/v1/location.ts';

/** The in-band error item of any list method: every list response has `oneof item { ...; LocationError error }`. */
export function errorItem<Res>(location: Location, code: Status, message: string): Res {
  return { item: { $case: 'error', value: { location, code, message } } } as Res;
}
