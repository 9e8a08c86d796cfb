// A node that cannot take its address says so in one line, without a stack trace.
const WHY: Record<string, string> = {
  EADDRINUSE:
    'the address is already in use (another oaktree node?); pick another --listen port, or port 0 for any free one',
  EACCES: 'permission denied (ports below 1024 need privileges); pick a port above 1024',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
};

export function cannotListen(error: unknown): string | undefined {
  const { code, address, port, message } = (error ?? {}) as {
    code?: string;
    address?: string;
    port?: number;
    message?: string;
  };
  const why = code ? WHY[code] : undefined;
  if (!why) {
    // grpc-js reports a failed bind as "No address added out of total N resolved" with the errno inside.
    const errno = /EADDRINUSE|EACCES|EADDRNOTAVAIL/.exec(message ?? '')?.[0];
    return errno ? `cannot listen: ${WHY[errno]}` : undefined;
  }
  return `cannot listen on ${address ?? '?'}:${port ?? '?'}: ${why}`;
}
