/**
 * The floor of the load benchmark: a bare `Deno.serve` that does only the
 * work no verifying receiver can skip. It reads the body, checks its HMAC with
 * the project's SHA-256, `JSON.parse`s it and logs one line, and nothing else:
 * no checks of headers, timestamp or event, no dispatch, no `Webhook-Agent`.
 * It has no body size limit, so leave out the hostile uploads. Measure it
 * against the baseline with
 * `deno run -A bench/load.ts --only=off --uploads=0 --command="deno run --allow-net --allow-env=SIGNING_SECRET,PORT bench/floor.ts"`.
 *
 * @module
 */

import { hexMatches } from "../userhub/sha256.ts";
import { bufferConsole } from "../userhub/logger.ts";
import { SigningKey } from "../userhub/signature.ts";

bufferConsole();
const key = new SigningKey(Deno.env.get("SIGNING_SECRET") ?? "");
const words = new Int32Array(8);
const decoder = new TextDecoder();
const JSON_CONTENT_TYPE = { "content-type": "application/json" };

Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8000), onListen: () => {} },
  async (request) => {
    const body = await request.bytes();
    key.hmac(request.headers.get("userhub-timestamp") ?? "", body, words);
    if (hexMatches(words, request.headers.get("userhub-signature") ?? "") !== 1) {
      return new Response("{}", { status: 401, headers: JSON_CONTENT_TYPE });
    }
    const value = JSON.parse(decoder.decode(body));
    // The benchmark's readiness probe is a challenge: echo it.
    if (typeof value.challenge === "string") {
      return new Response(body, { headers: JSON_CONTENT_TYPE });
    }
    console.log(`Event: ${value.type}`);
    return new Response("{}", { headers: JSON_CONTENT_TYPE });
  },
);
// The benchmark stops servers with SIGTERM: exit normally, so the log is flushed.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
