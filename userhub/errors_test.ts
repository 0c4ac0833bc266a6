import assert from "node:assert/strict";
import { type ErrorCode, WebhookError } from "./errors.ts";
import { errorResponse, jsonResponse, WEBHOOK_AGENT } from "./errors.ts";

Deno.test("WebhookError maps codes to HTTP status as the official SDKs do", () => {
  const expected: Record<ErrorCode, number> = {
    OK: 500,
    CANCELLED: 500,
    UNKNOWN: 500,
    INVALID_ARGUMENT: 400,
    DEADLINE_EXCEEDED: 500,
    NOT_FOUND: 404,
    ALREADY_EXISTS: 400,
    PERMISSION_DENIED: 500,
    UNAUTHENTICATED: 500,
    RESOURCE_EXHAUSTED: 429,
    FAILED_PRECONDITION: 400,
    ABORTED: 500,
    OUT_OF_RANGE: 500,
    UNIMPLEMENTED: 501,
    INTERNAL: 500,
    UNAVAILABLE: 500,
    DATA_LOSS: 500,
  };
  for (const [code, status] of Object.entries(expected)) {
    assert.equal(new WebhookError(code as ErrorCode, "x").status, status, code);
  }
});

Deno.test("WebhookError takes an explicit status and headers", () => {
  const error = new WebhookError("UNAUTHENTICATED", "no", { status: 401, headers: { a: "b" } });
  assert.equal(error.status, 401);
  assert.deepEqual(error.headers, { a: "b" });
});

Deno.test("errorResponse() answers {message, code} for a WebhookError, the generic 500 otherwise", async () => {
  const known = errorResponse(new WebhookError("NOT_FOUND", "User not found"));
  assert.equal(known.status, 404);
  assert.equal(await known.text(), '{"message":"User not found","code":"NOT_FOUND"}');
  for (const thrown of [new Error("secret detail"), "a string", undefined]) {
    const response = errorResponse(thrown);
    assert.equal(response.status, 500);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(await response.text(), '{"message":"Webhook server error","code":"INTERNAL"}');
  }
});

Deno.test("jsonResponse() keeps its JSON content type and agent whatever extra headers say", () => {
  const response = jsonResponse(404, "{}", {
    "Content-Type": "text/html",
    "webhook-agent": "other",
    allow: "GET",
  });
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal(response.headers.get("webhook-agent"), WEBHOOK_AGENT);
  assert.equal(response.headers.get("allow"), "GET");
});
