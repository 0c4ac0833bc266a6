/**
 * The UserHub webhook receiver, with the API of the official SDKs:
 * `new Webhook(secret)`, `onEvent`, `onChallenge`, `onAction`, `onDefault`,
 * `verify` and `handleFromWeb`.
 *
 * @module
 */

import type { Challenge, UserActionName, UserActions } from "./actions.ts";
import { BodyBudget, MAX_BODY_BYTES, MAX_BUFFERED_BYTES, readBody } from "./body.ts";
import { type DeliveryGuard, signedDigest, type SignedRequest } from "./dedupe.ts";
import { WebhookError } from "./error.ts";
import { decodeEvent, type Event } from "./event.ts";
import { isObject, parseJson } from "./json.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { errorResponse, jsonResponse } from "./response.ts";
import { parseSecrets, SigningKey } from "./signature.ts";
import { StoreError, storeOperation } from "./store_error.ts";
import {
  TIMESTAMP_TOLERANCE_SECONDS,
  type UnverifiedCall,
  type VerifiedCall,
  verifyCall,
} from "./verify.ts";

/** Handles a decoded `events.handle` call; the call succeeds once what it returns settles. */
export type EventHandler = (event: Event) => unknown;
/** Answers a `challenge`; by default the body is echoed byte for byte. */
export type ChallengeHandler = (input: Challenge) => Challenge | PromiseLike<Challenge>;
/** Answers an action with a JSON-serializable result. */
export type ActionHandler<I = unknown, O = unknown> = (input: I) => O | PromiseLike<O>;
/** Answers any action that has no handler of its own. */
export type DefaultHandler = (action: string, input: unknown) => unknown;

/** What the `onError` hook is told about a failed call. */
export interface ErrorContext {
  /** The call's action, e.g. `events.handle`. */
  action: string;
  /** The event's `id`, for an event. */
  eventId?: string;
  /** The event's `type`, for an event. */
  eventType?: string;
}

/**
 * What became of a call: `handled` (its event handler finished), `duplicate`
 * (handled before, skipped), `busy` (another delivery is handling it, 409),
 * `rejected` (refused with a 4xx before any handler ran), `failed` (a handler
 * threw), `unavailable` (503: the store failed, or too many bodies at once),
 * `unimplemented` (501: no handler for the action), `answered` (a challenge
 * or another action got its answer).
 */
export type Outcome =
  | "handled"
  | "duplicate"
  | "busy"
  | "rejected"
  | "failed"
  | "unavailable"
  | "unimplemented"
  | "answered";

/** A call as it was answered: for logs, traces and the development console. */
export interface CallReport {
  /** The action, once it was read from a verified call. */
  action?: string;
  /** The event's `id`, once it was decoded. */
  eventId?: string;
  /** The event's `type`, once it was decoded. */
  eventType?: string;
  /** What became of the call. */
  outcome: Outcome;
  /** The HTTP status of the answer. */
  status: number;
  /** Why the call was refused, or the message of what a handler threw. */
  reason?: string;
}

/** A response, and the report of the call it answers. */
export interface Receipt {
  /** What to send UserHub. */
  response: Response;
  /** What became of the call. */
  report: CallReport;
}

/** Configuration of a {@linkcode Webhook}. */
export interface WebhookOptions {
  /** One signing secret, several separated by commas or whitespace, or a list. */
  secret: string | readonly string[];
  /** Seconds a timestamp may be off the receiver's clock; 300 by default. */
  tolerance?: number;
  /** The largest body accepted, in bytes; 5 MiB by default. */
  maxBodyBytes?: number;
  /**
   * The bytes all bodies being read and handled may hold together; 32 MiB by
   * default. A body that fits its limit but not this is answered 503 with
   * `Retry-After`.
   */
  maxBufferedBytes?: number;
  /** The clock, in milliseconds; `Date.now` by default. */
  now?: () => number;
  /** Where refusals and failures are logged; the console by default. */
  logger?: Logger;
  /** Told of every handler failure; logs it by default. */
  onError?: (error: unknown, context: ErrorContext) => void;
  /**
   * Remembers handled events and accepted requests, so that a redelivery or a
   * replay never runs a handler twice (see {@linkcode DeliveryGuard}). Without
   * it every verified call runs its handler.
   */
  guard?: DeliveryGuard;
}

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
  readonly #keys: SigningKey[];
  readonly #tolerance: number;
  readonly #maxBodyBytes: number;
  readonly #budget: BodyBudget;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #onError: (error: unknown, context: ErrorContext) => void;
  readonly #guard: DeliveryGuard | undefined;
  readonly #actions = new Map<string, ActionHandler>();
  #onEvent: EventHandler | undefined;
  #onChallenge: ChallengeHandler | undefined;
  #onDefault: DefaultHandler | undefined;

  /**
   * Makes a receiver; register handlers with `onEvent`, `onChallenge`, `onAction` and `onDefault`.
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
    this.#keys = secrets.map((secret) => new SigningKey(secret));
    this.#tolerance = config.tolerance ?? TIMESTAMP_TOLERANCE_SECONDS;
    this.#maxBodyBytes = config.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#budget = new BodyBudget(config.maxBufferedBytes ?? MAX_BUFFERED_BYTES);
    this.#now = config.now ?? Date.now;
    this.#logger = config.logger ?? consoleLogger;
    this.#onError = config.onError ?? ((error, context) => {
      const about = context.eventId === undefined
        ? `action ${context.action}`
        : `event ${context.eventId} (${context.eventType})`;
      this.#logger.error(`Handler failed for ${about}:`, error);
    });
    this.#guard = config.guard;
  }

  /**
   * Sets the handler of `events.handle` calls.
   * @param handler Runs for each verified event; the call answers 200 once
   * what it returns (a promise, or any thenable) settles.
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
  /**
   * Sets the handler of an action this receiver has no type for.
   * @param name The action.
   * @param handler Gets the parsed body, returns the JSON result.
   * @returns This webhook.
   */
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
    return await verifyCall(call, {
      keys: this.#keys,
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
    return (await this.receive(request)).response;
  }

  /**
   * {@linkcode handleFromWeb}, with the report of what became of the call.
   * @param request The incoming request.
   * @returns The response, and the call's report.
   */
  async receive(request: Request): Promise<Receipt> {
    const report: CallReport = { outcome: "rejected", status: 0 };
    if (request.method !== "POST") {
      await request.body?.cancel();
      const allow = { status: 405, headers: { allow: "POST" } };
      return this.#refused(
        report,
        new WebhookError(
          "INVALID_ARGUMENT",
          `Method ${request.method} is not allowed: use POST`,
          allow,
        ),
      );
    }
    let body: Uint8Array;
    try {
      body = await readBody(request, this.#maxBodyBytes, this.#budget);
    } catch (error) {
      return this.#refused(
        report,
        error instanceof WebhookError
          ? error
          : new WebhookError("INVALID_ARGUMENT", "Cannot read body: the request ended early"),
      );
    }
    try {
      let call: VerifiedCall;
      try {
        call = await this.verify({ headers: request.headers, body, url: request.url });
      } catch (error) {
        return this.#refused(report, error);
      }
      report.action = call.action;
      return await this.#answer(call, report);
    } finally {
      this.#budget.give(body.length);
    }
  }

  /** A call refused before it was verified; logged as such. */
  #refused(report: CallReport, error: unknown): Receipt {
    const response = errorResponse(error);
    if (error instanceof WebhookError) {
      this.#logger.warn(`Rejected (${error.status}): ${error.message}`);
      report.reason = error.message;
    }
    report.outcome = response.status === 503 ? "unavailable" : "rejected";
    report.status = response.status;
    return { response, report };
  }

  /** Runs the handler of a verified call; `report.outcome` follows its progress. */
  async #answer(call: VerifiedCall, report: CallReport): Promise<Receipt> {
    let response: Response;
    try {
      if (call.action === "events.handle" && this.#onEvent !== undefined) {
        response = await this.#event(call, this.#onEvent, report);
      } else if (call.action === "challenge") {
        response = await this.#challenge(call, report);
      } else {
        response = await this.#action(call, report);
      }
    } catch (error) {
      response = this.#failed(error, report);
    }
    report.status = response.status;
    return { response, report };
  }

  async #event(call: VerifiedCall, onEvent: EventHandler, report: CallReport): Promise<Response> {
    const event = decode(call.body);
    report.eventId = event.id;
    report.eventType = event.type;
    const guard = this.#guard;
    if (guard === undefined) {
      report.outcome = "failed";
      await onEvent(event);
      report.outcome = "handled";
      return ok();
    }
    const about = `${event.id} (${event.type})`;
    const signed = await this.#signed(call);
    const claim = await storeOperation(about, () => guard.claim(event.id, signed));
    if (claim.status === "done") {
      this.#logger.info(`Duplicate: ${about} already handled, skipped`);
      report.outcome = "duplicate";
      return ok();
    }
    if (claim.status === "busy") {
      report.outcome = "busy";
      return this.#failed(
        new WebhookError(
          "ABORTED",
          `Event ${JSON.stringify(event.id)} is being handled by another delivery: retry later`,
          { status: 409, headers: { "retry-after": String(claim.retryAfter) } },
        ),
        report,
      );
    }
    if (claim.status === "replayed") throw replayed(call.action, claim.action);

    report.outcome = "failed";
    try {
      const stopHolding = guard.holdClaim(event.id, claim.token);
      try {
        await onEvent(event);
      } finally {
        await stopHolding();
      }
    } catch (error) {
      await guard.release(event.id, claim.token).catch((cause) =>
        this.#logger.error(
          `Cannot release the claim on ${about} (it expires with its lease):`,
          cause,
        )
      );
      throw error;
    }
    report.outcome = "handled";
    try {
      await guard.complete(event.id);
    } catch (cause) {
      // The handler ran: answering 200 avoids running it again for nothing.
      this.#logger.error(`Handled ${about}, but cannot record it as done:`, cause);
    }
    return ok();
  }

  async #challenge(call: VerifiedCall, report: CallReport): Promise<Response> {
    await this.#rememberChallenge(call);
    const input = parseJson(call.body, "Cannot read call");
    if (!isObject(input) || typeof input.challenge !== "string") {
      throw new WebhookError("INVALID_ARGUMENT", 'Cannot answer challenge: no "challenge" string');
    }
    if (this.#onChallenge === undefined) {
      report.outcome = "answered";
      return jsonResponse(200, new Uint8Array(call.body));
    }
    report.outcome = "failed";
    const answer = await this.#onChallenge({ ...input, challenge: input.challenge });
    report.outcome = "answered";
    return resultResponse(answer);
  }

  async #action(call: VerifiedCall, report: CallReport): Promise<Response> {
    const onDefault = this.#onDefault;
    const handler = call.action === "events.handle" ? undefined : this.#actions.get(call.action) ??
      (onDefault && ((input: unknown) => onDefault(call.action, input)));
    if (handler === undefined) {
      report.outcome = "unimplemented";
      throw new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${call.action}`);
    }
    const input = parseJson(call.body, "Cannot read call");
    await this.#refuseReplay(call);
    report.outcome = "failed";
    const result = await handler(input);
    report.outcome = "answered";
    return resultResponse(result);
  }

  /** The answer to an error thrown while a verified call was handled, and its log line. */
  #failed(error: unknown, report: CallReport): Response {
    const action = report.action ?? "";
    report.reason = error instanceof Error ? error.message : String(error);
    if (error instanceof StoreError) {
      report.outcome = "unavailable";
      this.#logger.error(`Refused ${action} (503): ${error.message}`, error.cause);
    } else if (
      error instanceof WebhookError && (error.status < 500 || error.code === "UNIMPLEMENTED")
    ) {
      this.#logger.warn(`Refused ${action} (${error.status}): ${error.message}`);
    } else {
      const context: ErrorContext = { action };
      if (report.eventId !== undefined) context.eventId = report.eventId;
      if (report.eventType !== undefined) context.eventType = report.eventType;
      this.#onError(error, context);
    }
    return errorResponse(error);
  }

  /** Refuses a second copy of a signed request for an action other than an event or a challenge. */
  async #refuseReplay(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined) return;
    const signed = await this.#signed(call);
    const earlier = await storeOperation(call.action, () => guard.rememberSigned(signed));
    if (earlier !== undefined) throw replayed(call.action, earlier);
  }

  /** Records a challenge's bytes so they cannot be replayed under another action; never refuses it. */
  async #rememberChallenge(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined) return;
    try {
      await guard.rememberSigned(await this.#signed(call));
    } catch (cause) {
      this.#logger.error("Cannot record the challenge request (answered anyway):", cause);
    }
  }

  /**
   * The call as the guard remembers it, for as long as its timestamp is
   * accepted: the tolerance on either side of the clock.
   */
  async #signed(call: VerifiedCall): Promise<SignedRequest> {
    const digest = await signedDigest(call.timestamp, call.body);
    return { digest, action: call.action, ttl: 2 * this.#tolerance * 1000 };
  }
}

/** {@linkcode decodeEvent}, with any failure of its own (say, nesting too deep) a 400. */
function decode(body: Uint8Array): Event {
  try {
    return decodeEvent(body);
  } catch (error) {
    if (error instanceof WebhookError) throw error;
    throw new WebhookError("INVALID_ARGUMENT", "Cannot decode event: the body is not an event");
  }
}

function replayed(action: string, earlier: string): WebhookError {
  return new WebhookError(
    "ABORTED",
    `Cannot run ${action}: the same signed request was already accepted as ${
      JSON.stringify(earlier)
    }`,
    { status: 409 },
  );
}

function ok(): Response {
  return jsonResponse(200, "{}");
}

function resultResponse(result: unknown): Response {
  return jsonResponse(200, JSON.stringify(result ?? {}));
}
