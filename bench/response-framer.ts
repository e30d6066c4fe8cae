/**
 * Splits a keep-alive HTTP/1.1 response stream into whole responses, just enough for a load
 * generator: status code, Content-Length or chunked bodies, no pipelining. Bytes are read as
 * latin1 so string offsets equal byte offsets.
 */
export interface ResponseFramer {
  /** Feeds bytes; calls `onResponse(status)` once per complete response. */
  push(chunk: Buffer): void;
}

export function createResponseFramer(onResponse: (status: number) => void): ResponseFramer {
  let pending = "";
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk.toString("latin1") : pending + chunk.toString("latin1");
      for (;;) {
        const headEnd = pending.indexOf("\r\n\r\n");
        if (headEnd < 0) return;
        const head = pending.slice(0, headEnd).toLowerCase();
        const status = Number(head.slice(9, 12));
        const bodyStart = headEnd + 4;
        let end: number;
        const length = /\r\ncontent-length:\s*(\d+)/.exec(head);
        if (length) {
          end = bodyStart + Number(length[1]);
          if (pending.length < end) return;
        } else if (head.includes("\r\ntransfer-encoding: chunked")) {
          const last = pending.indexOf("\r\n0\r\n\r\n", bodyStart - 2);
          if (last < 0) return;
          end = last + 7;
        } else {
          end = bodyStart; // 204/304 and friends: no body
        }
        pending = pending.slice(end);
        onResponse(status);
      }
    },
  };
}
