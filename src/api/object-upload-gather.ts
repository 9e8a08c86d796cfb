// UploadObject's gather hook: counts what the client sent; each backend reports its own locations.
import type { Location } from '../gen/oaktree/v1/location.ts';
import {
  UploadObjectResult,
  type UploadObjectRequest,
  type UploadObjectResponse,
} from '../gen/oaktree/v1/object_store.ts';

/** A StreamGather (row-hooks.ts) for UploadObject; typed by shape, since row-hooks imports this file. */
export function objectUploadGather() {
  let bytesReceived = 0n;
  return {
    see(message: UploadObjectRequest) {
      if (message.part?.$case === 'chunk') bytesReceived += BigInt(message.part.value.length);
    },
    failed: (
      targets: readonly Location[],
      { code, message }: { code: number; message: string },
    ): UploadObjectResponse => ({
      results: targets.map((location) =>
        UploadObjectResult.fromPartial({ location, error: { location, code, message } }),
      ),
      bytesReceived: 0n,
    }),
    finish: (responses: UploadObjectResponse[]): UploadObjectResponse => ({
      results: responses.flatMap((response) => response.results),
      bytesReceived,
    }),
  };
}
