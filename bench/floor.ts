/**
 * The floor of the load benchmark: a bare `Deno.serve` that does only the
 * work no verifying receiver can skip. It reads the body, checks its HMAC with
 * the project's signing code, `JSON.parse`s it and logs one line, and nothing else:
 * no checks of headers, timestamp or event, no dispatch, no `Webhook-Agent`.
 * It has no body size limit, so leave out the hostile uploads. Measure it
 * against the baseline with
 * `deno run -A bench/load.ts --only=off --uploads=0 --command="deno run --allow-net --allow-env=SIGNING_SECRET,PORT bench/floor.ts"`.
 *
 * @module
 */

import { SigningKey, verifySignature } from "../userhub/_signature.ts";

const keys = [new SigningKey(Deno.env.get("SIGNING_SECRET") ?? "")];
const decoder = new TextDecoder();
const JSON_CONTENT_TYPE = { "content-type": "application/json" };

Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8000), onListen: () => {} },
  async (request) => {
    const body = await request.bytes();
    const timestamp = request.headers.get("userhub-timestamp") ?? "";
    const signature = request.headers.get("userhub-signature") ?? "";
    if (!await verifySignature(keys, timestamp, body, [signature])) {
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
