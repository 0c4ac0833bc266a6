/**
 * The floor of the load benchmark: a bare `Deno.serve` that does the work of
 * the project's template and nothing more, to measure the project against
 * the least that work can cost. It reads the body (`request.bytes()`),
 * verifies the call (the timestamp within 300 s, the HMAC by the platform's
 * primitive, `crypto.subtle.verify` with a key imported once, which compares
 * in constant time), `JSON.parse`s it and logs the template's two lines
 * (`Event: <type>` and ` - Organization: <id> <name>`, control characters
 * escaped) with `console.log`, then answers `{}`. It echoes a challenge. No
 * other code of the receiver runs: no checks of the event's shape, no
 * dispatch, no duplicate check, no `Webhook-Agent`, no body limit (so leave
 * it out of the hostile uploads).
 *
 * It stops gracefully on SIGTERM, like the project's server (so that `deno
 * run --cpu-prof` writes its profile). `deno task bench` runs it as `floor`
 * (and `floor-256k`); on its own:
 * `SIGNING_SECRET=... deno run --allow-net --allow-env=SIGNING_SECRET,PORT bench/floor.ts`.
 *
 * @module
 */

const encoder = new TextEncoder();
const key = await crypto.subtle.importKey(
  "raw",
  encoder.encode(Deno.env.get("SIGNING_SECRET") ?? ""),
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const decoder = new TextDecoder();
const JSON_CONTENT_TYPE = { "content-type": "application/json" };
// deno-lint-ignore no-control-regex -- escaping them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A value from a request, safe to log: its control characters escaped. */
function printable(value: unknown): string {
  return String(value ?? "").replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Whether `signature` (hex) is the HMAC of `<timestamp>.<body>`. */
async function verified(timestamp: string, body: Uint8Array, signature: string): Promise<boolean> {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const prefix = encoder.encode(`${timestamp}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  return await crypto.subtle.verify("HMAC", key, Uint8Array.fromHex(signature), message);
}

function refuse(status: number): Response {
  return new Response('{"code":"UNAUTHENTICATED"}', { status, headers: JSON_CONTENT_TYPE });
}

const server = Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8000), onListen: () => {} },
  async (request) => {
    const body = await request.bytes();
    const timestamp = request.headers.get("userhub-timestamp") ?? "";
    const signature = request.headers.get("userhub-signature") ?? "";
    if (!(Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300)) return refuse(401);
    if (!await verified(timestamp, body, signature)) return refuse(401);
    const value = JSON.parse(decoder.decode(body));
    if (request.headers.get("userhub-action") === "challenge") {
      return new Response(body, { headers: JSON_CONTENT_TYPE });
    }
    console.log(`Event: ${printable(value.type)}`);
    const organization = value.organizationsChanged?.organization;
    console.log(
      ` - Organization: ${printable(organization?.id)} ${printable(organization?.displayName)}`,
    );
    return new Response("{}", { headers: JSON_CONTENT_TYPE });
  },
);

// Stops gracefully, as the project's server does: `deno run --cpu-prof` then writes its profile.
Deno.addSignalListener("SIGTERM", () => void server.shutdown());
