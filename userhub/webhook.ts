/**
 * The UserHub webhook receiver, with the API of the official SDKs:
 * `new Webhook(secret)`, `onEvent`, `onChallenge`, `onAction`, `onDefault`,
 * `verify` and `handleFromWeb`.
 *
 * @module
 */

import type { Challenge, UserActionName, UserActions } from "./actions.ts";
import { BodyBudget, MAX_BODY_BYTES, MAX_BUFFERED_BYTES, readBody } from "./body.ts";
import { type ClaimResult, type DeliveryGuard, signedDigest } from "./dedupe.ts";
import { WebhookError } from "./error.ts";
import { decodeEvent, type Event } from "./event.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { errorResponse, jsonResponse } from "./response.ts";
import { parseSecrets, SigningKey } from "./signature.ts";
import {
  checkCall,
  TIMESTAMP_TOLERANCE_SECONDS,
  type UnverifiedCall,
  type VerifiedCall,
  verifyCall,
} from "./verify.ts";
import { decodeUtf8 } from "./utf8.ts";

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
  verify(call: UnverifiedCall): Promise<VerifiedCall> {
    return verifyCall(call, { keys: this.#keys, now: this.#now(), tolerance: this.#tolerance });
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
    let body: Uint8Array;
    try {
      body = await readBody(request, this.#maxBodyBytes, this.#budget);
    } catch (error) {
      return this.#rejected(
        error instanceof WebhookError
          ? error
          : new WebhookError("INVALID_ARGUMENT", "Cannot read body: the request ended early"),
      );
    }
    try {
      let call: VerifiedCall;
      try {
        const checked = checkCall({ headers: request.headers, body, url: request.url }, {
          keys: this.#keys,
          now: this.#now(),
          tolerance: this.#tolerance,
        });
        call = checked instanceof Promise ? await checked : checked;
      } catch (error) {
        return this.#rejected(error);
      }
      const response = this.#handle(call);
      return response instanceof Promise ? await response : response;
    } finally {
      this.#budget.give(body.length);
    }
  }

  #rejected(error: unknown): Response {
    if (error instanceof WebhookError) {
      this.#logger.warn(`Rejected (${error.status}): ${error.message}`);
    }
    return errorResponse(error);
  }

  /** Runs the call's handler; synchronous when the handler is, so an event costs no extra turn. */
  #handle(call: VerifiedCall): Response | Promise<Response> {
    const context: ErrorContext = { action: call.action };
    try {
      if (call.action === "events.handle" && this.#onEvent !== undefined) {
        const event = decode(call.body);
        context.eventId = event.id;
        context.eventType = event.type;
        if (this.#guard !== undefined) {
          // Without replay records to write, a repeat this process knows is done needs no store.
          if (!this.#replayable() && this.#guard.isKnownDone?.(event.id)) {
            return this.#duplicate(event);
          }
          return this.#handleOnce(this.#guard, this.#onEvent, call, event)
            .catch((error) => this.#failed(error, call, context));
        }
        const done = this.#onEvent(event);
        if (done instanceof Promise) {
          return done.then(ok, (error) => this.#failed(error, call, context));
        }
        return ok();
      }
      return this.#handleAction(call).catch((error) => this.#failed(error, call, context));
    } catch (error) {
      return this.#failed(error, call, context);
    }
  }

  async #handleAction(call: VerifiedCall): Promise<Response> {
    if (call.action === "challenge") {
      await this.#rememberChallenge(call);
      return await this.#challenge(call.body);
    }
    const onDefault = this.#onDefault;
    const handler = call.action === "events.handle" ? undefined : this.#actions.get(call.action) ??
      (onDefault && ((input: unknown) => onDefault(call.action, input)));
    if (handler === undefined) {
      throw new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${call.action}`);
    }
    const input = parseJson(call.body);
    await this.#refuseReplay(call);
    return resultResponse(await handler(input));
  }

  #failed(error: unknown, call: VerifiedCall, context: ErrorContext): Response {
    if (error instanceof StoreError) {
      this.#logger.error(`Refused ${call.action} (503): ${error.message}`, error.cause);
    } else if (
      error instanceof WebhookError && (error.status < 500 || error.code === "UNIMPLEMENTED")
    ) {
      this.#logger.warn(`Refused ${call.action} (${error.status}): ${error.message}`);
    } else {
      this.#onError(error, context);
    }
    return errorResponse(error);
  }

  /**
   * Runs an event's handler at most once across redeliveries: claim its id,
   * run, then mark it done, or release the claim when the handler throws.
   */
  async #handleOnce(
    guard: DeliveryGuard,
    onEvent: EventHandler,
    call: VerifiedCall,
    event: Event,
  ): Promise<Response> {
    const about = `${event.id} (${event.type})`;
    const claim = await store(about, () => this.#claimFirstTime(guard, call, event.id)) ??
      await this.#claimAgain(guard, call, event.id, about);
    if (claim.status === "done") return this.#duplicate(event);
    if (claim.status === "busy") {
      throw new WebhookError(
        "ABORTED",
        `Event ${JSON.stringify(event.id)} is being handled by another delivery: retry later`,
        { status: 409, headers: { "retry-after": String(claim.retryAfter) } },
      );
    }
    try {
      const running = onEvent(event);
      if (running instanceof Promise) {
        // Only a handler that waits can outlive its lease: keep the claim meanwhile.
        const stopHolding = guard.holdClaim?.(event.id, claim.token);
        try {
          await running;
        } finally {
          await stopHolding?.();
        }
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
    try {
      await guard.complete(event.id);
    } catch (cause) {
      // The handler ran: answering 200 avoids running it again for nothing.
      this.#logger.error(`Handled ${about}, but cannot record it as done:`, cause);
    }
    return ok();
  }

  /** One KV write for a new event: the claim and the replay record together. */
  async #claimFirstTime(
    guard: DeliveryGuard,
    call: VerifiedCall,
    eventId: string,
  ): Promise<ClaimResult | undefined> {
    if (guard.claimUnseen === undefined) return undefined;
    const signed = this.#replayable()
      ? {
        digest: await signedDigest(call.timestamp, call.body),
        action: call.action,
        ttl: this.#replayTtl(),
      }
      : undefined;
    const token = await guard.claimUnseen(eventId, signed);
    return token === undefined ? undefined : { status: "claimed", token };
  }

  /** The long way, for an event or signed request seen before: check for a replay, then claim. */
  async #claimAgain(
    guard: DeliveryGuard,
    call: VerifiedCall,
    eventId: string,
    about: string,
  ): Promise<ClaimResult> {
    if (this.#replayable()) {
      const earlier = await store(about, () => this.#rememberSigned(guard, call));
      if (earlier !== undefined && earlier !== call.action) throw replayed(call.action, earlier);
    }
    return await store(about, () => guard.claim(eventId));
  }

  #duplicate(event: Event): Response {
    this.#logger.info(`Duplicate: ${event.id} (${event.type}) already handled, skipped`);
    return ok();
  }

  /**
   * Whether some action other than events and challenges has a handler: only
   * then could an event's or a challenge's signed bytes, replayed under that
   * action, run anything, so only then are they recorded.
   */
  #replayable(): boolean {
    return this.#actions.size > 0 || this.#onDefault !== undefined;
  }

  /** Refuses a second copy of a signed request for an action other than an event or a challenge. */
  async #refuseReplay(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined) return;
    const earlier = await store(call.action, () => this.#rememberSigned(guard, call));
    if (earlier !== undefined) throw replayed(call.action, earlier);
  }

  /** Records a challenge's bytes so they cannot be replayed under another action; never refuses it. */
  async #rememberChallenge(call: VerifiedCall): Promise<void> {
    const guard = this.#guard;
    if (guard === undefined || !this.#replayable()) return;
    try {
      await this.#rememberSigned(guard, call);
    } catch (cause) {
      this.#logger.error("Cannot record the challenge request (answered anyway):", cause);
    }
  }

  async #rememberSigned(guard: DeliveryGuard, call: VerifiedCall): Promise<string | undefined> {
    const digest = await signedDigest(call.timestamp, call.body);
    return guard.rememberSigned(digest, call.action, this.#replayTtl());
  }

  /** How long a signed request is remembered: a timestamp is accepted while it is within the tolerance on either side of the clock. */
  #replayTtl(): number {
    return 2 * this.#tolerance * 1000;
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

/** {@linkcode decodeEvent}, with any failure of its own (say, nesting too deep) a 400. */
function decode(body: Uint8Array): Event {
  try {
    return decodeEvent(body);
  } catch (error) {
    if (error instanceof WebhookError) throw error;
    throw new WebhookError("INVALID_ARGUMENT", "Cannot decode event: the body is not an event");
  }
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(decodeUtf8(body));
  } catch {
    throw new WebhookError("INVALID_ARGUMENT", "Cannot read call: the body is not UTF-8 JSON");
  }
}

/** What a 503 for a failed store asks the sender to wait, in seconds. */
const STORE_RETRY_AFTER_SECONDS = 5;

/** The store of a {@linkcode DeliveryGuard} failed: answered 503, and logged with its cause. */
class StoreError extends WebhookError {
  constructor(about: string, cause: unknown) {
    super("UNAVAILABLE", `Cannot check ${about} for duplicates: the store failed`, {
      status: 503,
      headers: { "retry-after": String(STORE_RETRY_AFTER_SECONDS) },
    });
    this.cause = cause;
  }
}

/** Runs a store operation; any failure becomes a {@linkcode StoreError} (fail closed). */
async function store<T>(about: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new StoreError(about, error);
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
  return jsonResponse(200, EMPTY_OBJECT);
}

function resultResponse(result: unknown): Response {
  return jsonResponse(200, JSON.stringify(result ?? {}));
}
