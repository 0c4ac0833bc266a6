/**
 * A stand-in OpenTelemetry collector for the load benchmark's `otel` run: a
 * `Deno.serve` on 127.0.0.1 that reads and discards every OTLP/HTTP export
 * and answers 200 `{}`, counting what it received so that the output shows
 * the export really happened.
 *
 * @module
 */

import { format } from "./table.ts";

/** A running sink: where to export to, and what it received. */
export interface OtlpSink {
  /** The base URL to give as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  endpoint: string;
  /** Says what was received since the last call, and starts counting again. */
  take(): string;
  /** Stops the sink. */
  close(): Promise<void>;
}

/** Starts a sink on a port of 127.0.0.1 that the system picks. */
export function startOtlpSink(): OtlpSink {
  let posts = new Map<string, number>();
  let bytes = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      if (request.method !== "POST") {
        await request.body?.cancel();
        return new Response(null, { status: 405 });
      }
      bytes += (await request.bytes()).length;
      const path = new URL(request.url).pathname;
      posts.set(path, (posts.get(path) ?? 0) + 1);
      return Response.json({});
    },
  );
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    take() {
      const count = [...posts.values()].reduce((sum, n) => sum + n, 0);
      const paths = [...posts].sort().map(([path, n]) => `${path} ${n}`).join(", ");
      const line = count === 0
        ? "OTLP sink: received nothing, so nothing was exported"
        : `OTLP sink: received ${count} POSTs, ${format(bytes, 0)} bytes (${paths})`;
      posts = new Map();
      bytes = 0;
      return line;
    },
    close: () => server.shutdown(),
  };
}
