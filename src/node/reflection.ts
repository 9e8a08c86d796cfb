// gRPC server reflection (grpcurl, Postman, evans list and describe the API through it). nice-grpc's reflection
// indexes the whole descriptor set when it is made: about 0.5 s of CPU, half of a node's cold start, spent before
// the node serves anything. Built on the first reflection call instead, which most nodes never get.
import { ServerReflection } from 'nice-grpc-server-reflection';

type Reflection = ReturnType<typeof ServerReflection>;

export function lazyServerReflection(protoset: Uint8Array, serviceNames: readonly string[]): Reflection {
  let built: Reflection | undefined;
  return {
    serverReflectionInfo(requests, context) {
      built ??= ServerReflection(protoset, serviceNames);
      return built.serverReflectionInfo(requests, context);
    },
  };
}
