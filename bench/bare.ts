/**
 * The baseline of the load benchmark: a bare `Deno.serve` that reads the
 * body and answers `{}`, the least a webhook receiver can do.
 *
 * @module
 */

Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8000), onListen: () => {} },
  async (request) => {
    await request.arrayBuffer();
    return new Response("{}", { headers: { "content-type": "application/json" } });
  },
);
