/**
 * The UserHub webhook receiver, with the API of the official SDKs:
 * `new Webhook(secret)`, `onEvent`, `onChallenge`, `onAction`, `onDefault`,
 * `verify` and `handleFromWeb`.
 *
 * @module
 */

import type { Challenge, UserActionName, UserActions } from "./actions.ts";
import { MAX_BODY_BYTES, readBody } from "./body.ts";
import { WebhookError } from "./error.ts";
import { decodeEvent, type Event } from "./event.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { errorResponse, jsonResponse } from "./response.ts";
import { importSigningKey, parseSecrets, type SigningKey } from "./signature.ts";
import {
  TIMESTAMP_TOLERANCE_SECONDS,
  type UnverifiedCall,
  type VerifiedCall,
  verifyCall,
} from "./verify.ts";

/** Handles a decoded `events.handle` call; the call succeeds when it resolves. */
export type EventHandler = (event: Event) => void | Promise<void>;
/** Answers a `challenge`; by default the body is echoed byte for byte. */
export type ChallengeHandler = (input: Challenge) => Challenge | Promise<Challenge>;
/** Answers an action with a JSON-serializable result. */
export type ActionHandler<I = unknown, O = unknown> = (input: I) => O | Promise<O>;
/** Answers any action that has no handler of its own. */
export type DefaultHandler = (action: string, input: unknown) => unknown;

/** What the `onError` hook is told about a failed call. */
export interface ErrorContext {
  action: string;
  eventId?: string;
  eventType?: string;
}

/** Configuration of a {@linkcode Webhook}. */
export interface WebhookOptions {
  /** One signing secret, several separated by commas or whitespace, or a list. */
  secret: string | readonly string[];
  /** Seconds a timestamp may be off the receiver's clock; 300 by default. */
  tolerance?: number;
  /** The largest body accepted, in bytes; 5 MiB by default. */
  maxBodyBytes?: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /** Where refusals and failures are logged; the console by default. */
  logger?: Logger;
  /** Told of every handler failure; logs it by default. */
  onError?: (error: unknown, context: ErrorContext) => void;
}

const EMPTY_OBJECT = "{}";

/**
 * Receives UserHub webhook calls: verifies them and runs the handler of their
 * action.
 *
 * @example Answer activation and log events
 * ```ts
 * import { Webhook } from "./webhook.ts";
 *
 * const webhook = new Webhook("whsec_test");
 * webhook.onEvent((event) => console.log(`Event: ${event.type}`));
 * // Deno.serve((request) => webhook.handleFromWeb(request));
 * ```
 */
export class Webhook {
  readonly #keys: Promise<SigningKey[]>;
  readonly #tolerance: number;
  readonly #maxBodyBytes: number;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #onError: (error: unknown, context: ErrorContext) => void;
  readonly #actions = new Map<string, ActionHandler>();
  #onEvent: EventHandler | undefined;
  #onChallenge: ChallengeHandler | undefined;
  #onDefault: DefaultHandler | undefined;

  /**
   * @param options A signing secret, or the full options.
   * @throws {TypeError} When no non-empty secret is given.
   */
  constructor(options: string | readonly string[] | WebhookOptions) {
    const config: WebhookOptions = typeof options === "string" || Array.isArray(options)
      ? { secret: options as string | readonly string[] }
      : options as WebhookOptions;
    const secrets = typeof config.secret === "string"
      ? parseSecrets(config.secret)
      : config.secret.flatMap(parseSecrets);
    if (secrets.length === 0) {
      throw new TypeError("Cannot create webhook: the signing secret is empty");
    }
    this.#keys = Promise.all(secrets.map(importSigningKey));
    this.#tolerance = config.tolerance ?? TIMESTAMP_TOLERANCE_SECONDS;
    this.#maxBodyBytes = config.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#now = config.now ?? Date.now;
    this.#logger = config.logger ?? consoleLogger;
    this.#onError = config.onError ?? ((error, context) => {
      const about = context.eventId === undefined
        ? `action ${context.action}`
        : `event ${context.eventId} (${context.eventType})`;
      this.#logger.error(`Handler failed for ${about}:`, error);
    });
  }

  /**
   * Sets the handler of `events.handle` calls.
   * @param handler Runs for each verified event; the call answers 200 once it resolves.
   * @returns This webhook.
   */
  onEvent(handler: EventHandler): this {
    this.#onEvent = handler;
    return this;
  }

  /**
   * Replaces the default `challenge` answer, which echoes the body.
   * @param handler Returns the challenge answer.
   * @returns This webhook.
   */
  onChallenge(handler: ChallengeHandler): this {
    this.#onChallenge = handler;
    return this;
  }

  /**
   * Sets the handler of one action, such as `users.get`.
   * @param name The action.
   * @param handler Gets the parsed body, returns the JSON result.
   * @returns This webhook.
   */
  onAction<A extends UserActionName>(
    name: A,
    handler: ActionHandler<UserActions[A]["input"], UserActions[A]["output"]>,
  ): this;
  onAction(name: string, handler: ActionHandler): this;
  onAction(name: string, handler: ActionHandler<never>): this {
    this.#actions.set(name, handler as ActionHandler);
    return this;
  }

  /**
   * Sets the handler of every action that has no handler of its own.
   * @param handler Gets the action and parsed body, returns the JSON result.
   * @returns This webhook.
   */
  onDefault(handler: DefaultHandler): this {
    this.#onDefault = handler;
    return this;
  }

  /**
   * Verifies a call against the configured secrets and the clock.
   * @param call Headers, raw body and URL.
   * @returns The verified action, timestamp and body.
   * @throws {WebhookError} When the call is malformed or not authentic.
   */
  async verify(call: UnverifiedCall): Promise<VerifiedCall> {
    return verifyCall(call, {
      keys: await this.#keys,
      now: this.#now(),
      tolerance: this.#tolerance,
    });
  }

  /**
   * Handles a web `Request`: method, size, verification, then the action's
   * handler. Never throws; every failure is a JSON error response.
   * @param request The incoming request.
   * @returns The response to send UserHub.
   */
  async handleFromWeb(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      await request.body?.cancel();
      return errorResponse(
        new WebhookError("INVALID_ARGUMENT", `Method ${request.method} is not allowed: use POST`, {
          status: 405,
          headers: { allow: "POST" },
        }),
      );
    }
    let call: VerifiedCall;
    try {
      const body = await readBody(request, this.#maxBodyBytes);
      call = await this.verify({ headers: request.headers, body, url: request.url });
    } catch (error) {
      if (error instanceof WebhookError) {
        this.#logger.warn(`Rejected (${error.status}): ${error.message}`);
      }
      return errorResponse(error);
    }
    return this.#handle(call);
  }

  async #handle(call: VerifiedCall): Promise<Response> {
    const context: ErrorContext = { action: call.action };
    try {
      switch (call.action) {
        case "challenge":
          return await this.#challenge(call.body);
        case "events.handle": {
          if (this.#onEvent === undefined) break;
          const event = decodeEvent(call.body);
          context.eventId = event.id;
          context.eventType = event.type;
          await this.#onEvent(event);
          return jsonResponse(200, EMPTY_OBJECT);
        }
        default: {
          const handler = this.#actions.get(call.action);
          if (handler !== undefined) return resultResponse(await handler(parseJson(call.body)));
          if (this.#onDefault !== undefined) {
            return resultResponse(await this.#onDefault(call.action, parseJson(call.body)));
          }
        }
      }
      return errorResponse(
        new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${call.action}`),
      );
    } catch (error) {
      if (error instanceof WebhookError && error.status < 500) {
        this.#logger.warn(`Refused ${call.action} (${error.status}): ${error.message}`);
      } else {
        this.#onError(error, context);
      }
      return errorResponse(error);
    }
  }

  async #challenge(body: Uint8Array): Promise<Response> {
    const input = parseJson(body);
    if (
      typeof input !== "object" || input === null ||
      typeof (input as Challenge).challenge !== "string"
    ) {
      throw new WebhookError("INVALID_ARGUMENT", 'Cannot answer challenge: no "challenge" string');
    }
    if (this.#onChallenge === undefined) return jsonResponse(200, new Uint8Array(body));
    return resultResponse(await this.#onChallenge(input as Challenge));
  }
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new WebhookError("INVALID_ARGUMENT", "Cannot read call: the body is not UTF-8 JSON");
  }
}

function resultResponse(result: unknown): Response {
  return jsonResponse(200, JSON.stringify(result ?? {}));
}
