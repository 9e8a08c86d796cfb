// Read or write, from the RPC name alone, decided here and nowhere else. Reads are the names made of List, Get,
// Watch, Wait or Download plus a noun; everything else (Create, Delete, Attach, Detach, Upload, any action added
// later) is a write, so a new RPC never becomes a read by accident.
export type Action = 'read' | 'write';

const READ_VERBS = ['List', 'Get', 'Watch', 'Wait', 'Download'];

/** `ListServers` or a gRPC path such as `/oaktree.v1.ComputeService/ListServers`. */
export function actionOf(method: string): Action {
  const name = method.slice(method.lastIndexOf('/') + 1);
  const isRead = READ_VERBS.some((verb) => name.startsWith(verb) && /^[A-Z]/.test(name.slice(verb.length)));
  return isRead ? 'read' : 'write';
}
