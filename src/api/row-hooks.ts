// Behaviour a few rows of the method table need beyond validate-and-route, kept next to each other so the
// service builder stays generic. The rows live in core and cannot import the layers these hooks use.
import type { MethodKey } from '../core/methods.ts';
import { withMergedTokens, type WatchTokenKey } from '../cache/watch-token.ts';
import type { Location } from '../gen/oaktree/v1/location.ts';
import { objectUploadGather } from './object-upload-gather.ts';
import { UploadImageResult, type UploadImageRequest, type UploadImageResponse } from '../gen/oaktree/v1/image.ts';

/** One client-stream call's view of its messages and its backends' answers. */
export interface StreamGather<Req, Res> {
  /** Sees every message after the first, as it is passed on. */
  see(message: Req): void;
  /** The answer for locations whose backend failed as a whole, when a stream went to several backends. */
  failed(targets: readonly Location[], status: { code: number; message: string }): Res;
  /** One answer from every backend's answer. */
  finish(responses: Res[]): Res;
}

export interface RowHooks {
  /** Rewrites a list's merged responses. */
  responses?: (request: any, responses: AsyncIterable<any>) => AsyncIterable<any>;
  /** Required for a client-stream row: how its answers are gathered. */
  gather?: () => StreamGather<any, any>;
}

export interface RowHookOptions {
  /** Signs the watch resume tokens this node gives out and checks the ones it is given. */
  watchTokenKey: WatchTokenKey;
}

export function rowHooksFor({ watchTokenKey }: RowHookOptions): Partial<Record<MethodKey, RowHooks>> {
  return {
    // Each location stamps its own position; the client gets one signed token for the whole watch.
    watchServers: {
      responses: (request, responses) => withMergedTokens(request.resumeToken, responses, watchTokenKey),
    },
    uploadImage: { gather: uploadGather },
    uploadObject: { gather: objectUploadGather },
  };
}

/** Counts what the client sent; each backend reports its own locations. */
function uploadGather(): StreamGather<UploadImageRequest, UploadImageResponse> {
  let bytesReceived = 0n;
  return {
    see(message) {
      if (message.part?.$case === 'chunk') bytesReceived += BigInt(message.part.value.length);
    },
    failed: (targets, { code, message }) => ({
      results: targets.map((location) =>
        UploadImageResult.fromPartial({ location, error: { location, code, message } }),
      ),
      bytesReceived: 0n,
    }),
    finish: (responses) => ({ results: responses.flatMap((response) => response.results), bytesReceived }),
  };
}
