/**
 * The HTTP application: routes `/webhook` to the UserHub receiver.
 *
 * @module
 */

import type { DeliveryConsole } from "../console/mod.ts";

export type { DeliveryConsole } from "../console/mod.ts";
import { customUsers as defaultCustomUsers } from "../handlers/custom_users.ts";
import { handlers as defaultHandlers } from "../handlers/mod.ts";
import {
  type CustomUserProvider,
  type DeliveryGuard,
  type ErrorContext,
  type EventHandlers,
  jsonResponse,
  type Logger,
  Webhook,
} from "../userhub/mod.ts";
import { isLocal } from "./_local.ts";

/** Everything the app is built from; only `secrets` is required. */
export interface AppOptions {
  /** The signing secrets; a call signed with any of them verifies. */
  secrets: readonly string[];
  /**
   * Where handled events and accepted requests are remembered, so that a
   * redelivery or a replay never runs a handler twice. `main.ts` opens it from
   * the configuration; without it every call runs its handler.
   */
  guard?: DeliveryGuard;
  /** Event type → handler; `handlers/mod.ts` by default. */
  handlers?: EventHandlers;
  /**
   * Answers the `users.*` actions, as UserHub's user directory;
   * `handlers/custom_users.ts` by default. Without one they answer 501.
   */
  customUsers?: CustomUserProvider;
  /** Where the app logs; the console by default. */
  logger?: Logger;
  /** Told of every handler failure; logs it by default. */
  onError?: (error: unknown, context: ErrorContext) => unknown;
  /** The clock in milliseconds, for tests. */
  now?: () => number;
  /** Milliseconds a body may take to arrive once its headers have; 30 s by default. */
  bodyTimeout?: number;
  /**
   * The delivery console of `deno task dev`: records every call to
   * `/webhook`, and serves `/_console` to loopback clients. None by default.
   */
  console?: DeliveryConsole;
}

/**
 * A `fetch`-style request handler, as `Deno.serve` takes: with the
 * connection's info, which the delivery console needs to tell a loopback
 * client.
 */
export type App = (request: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>;

const HEALTHY = '{"status":"ok"}';

/**
 * Builds the app: `POST /webhook` for UserHub, `GET /healthz`, and 404 JSON
 * for anything else.
 *
 * @param options The secrets, and optionally the KV store, handlers, user
 * directory, delivery console, logger and clock.
 * @returns The request handler.
 *
 * @example Call it without a server
 * ```ts
 * import { createApp } from "./mod.ts";
 *
 * const app = createApp({ secrets: ["whsec_test"] });
 * const response = await app(new Request("http://localhost/healthz"));
 * console.assert(response.status === 200);
 * ```
 */
export function createApp(options: AppOptions): App {
  const users = "customUsers" in options ? options.customUsers : defaultCustomUsers;
  const webhook = new Webhook({
    secret: options.secrets,
    ...(options.logger && { logger: options.logger }),
    ...(options.onError && { onError: options.onError }),
    ...(options.now && { now: options.now }),
    ...(options.bodyTimeout !== undefined && { bodyTimeout: options.bodyTimeout }),
    ...(options.guard && { guard: options.guard }),
    ...(users && { users }),
  }).onEvents(options.handlers ?? defaultHandlers);

  // A body is left alone, never cancelled: Deno then closes the connection once it has come,
  // where a cancelled one would keep it open for more requests.
  const notWebhook = (request: Request, path: string): Response => {
    if (path === "/healthz") {
      if (request.method === "GET" || request.method === "HEAD") return jsonResponse(200, HEALTHY);
      return jsonResponse(
        405,
        JSON.stringify({
          message: `Method ${request.method} is not allowed: use GET`,
          code: "INVALID_ARGUMENT",
        }),
        { allow: "GET, HEAD" },
      );
    }
    return jsonResponse(404, JSON.stringify({ message: `Not found: ${path}`, code: "NOT_FOUND" }));
  };

  const deliveryConsole = options.console;
  const receive = (request: Request) => webhook.receive(request);
  const app: App = (request, info) => {
    const path = new URL(request.url).pathname;
    if (path === "/webhook") {
      return deliveryConsole === undefined
        ? webhook.handleFromWeb(request)
        : deliveryConsole.record(request, receive);
    }
    if (deliveryConsole !== undefined && isConsolePath(path) && isLocal(request, info)) {
      return deliveryConsole.handle(request, app);
    }
    return Promise.resolve(notWebhook(request, path));
  };
  return app;
}

function isConsolePath(path: string): boolean {
  return path === "/_console" || path.startsWith("/_console/");
}
