import { bufferConsole } from "../userhub/logger.ts";
if (Deno.args[0] === "buf") bufferConsole();
const t = performance.now();
if (Deno.args[0] === "sig") Deno.addSignalListener("SIGTERM", () => {});
Deno.serve({
  port: 18792,
  onListen: () => console.log("Listening", (performance.now() - t).toFixed(1)),
}, async (r) => {
  await r.arrayBuffer();
  return new Response("{}");
});
