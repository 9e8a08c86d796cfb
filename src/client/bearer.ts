// The caller's bearer token on every call, as `authorization: Bearer <token>` metadata (the node validates it).
import { createClientFactory, Metadata, type ClientFactory, type ClientMiddleware } from 'nice-grpc';

function bearerMiddleware(token: string): ClientMiddleware {
  const value = `Bearer ${token}`;
  return async function* bearer(call, options) {
    const metadata = Metadata(options.metadata);
    metadata.set('authorization', value);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

/** Makes the generated clients; with a token, each of them sends it. */
export function clientFactory(token: string | undefined): ClientFactory {
  const factory = createClientFactory();
  return token ? factory.use(bearerMiddleware(token)) : factory;
}
