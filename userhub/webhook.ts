/**
 * The UserHub webhook receiver. A call reads forward, one step a function:
 * method → body → verify → decode → duplicate check → handler → answer. What
 * became of it (its {@linkcode CallReport}) is what the path returns; it is
 * written in one place, when the call is answered.
 *
 * @module
 */

import {
  BODY_DEADLINE_MS,
  BodyBudget,
  BodyDeadlines,
  MAX_BODY_BYTES,
  MAX_BUFFERED_BYTES,
  readBody,
} from "./_body.ts";
import { BusyError, Duplicates } from "./_duplicates.ts";
import { StoreError } from "./_outage_log.ts";
import { isObject, parseJson } from "./_json.ts";
import { parseSecrets, SigningKey } from "./_signature.ts";
import { inHandlerSpan, recordCall } from "./_telemetry.ts";
import { TIMESTAMP_TOLERANCE_SECONDS, type VerifiedCall, verifyCall } from "./_verify.ts";
import { errorResponse, jsonResponse, WebhookError } from "./errors.ts";
import { decodeEvent, type Event, type EventHandlers, type EventType } from "./events.ts";
import type { DeliveryGuard } from "./guard.ts";
import { consoleLogger, type Logger } from "./log.ts";
import type { CallReport, Outcome, Receipt } from "./report.ts";
import {
  type ActionContract,
  type CustomUserProvider,
  USER_ACTION_CONTRACTS,
  type UserActionName,
  type UserActions,
} from "./users.ts";

/** Handles any decoded event; the call succeeds once what it returns settles. */
export type EventHandler = (event: Event) => unknown;
/** Answers an action with a JSON-serializable result. */
export type ActionHandler<I = unknown, O = unknown> = (input: I) => O | PromiseLike<O>;

/** What the `onError` hook is told about a failed call. */
export interface ErrorContext {
  /** The call's action, e.g. `events.handle`. */
  action: string;
  /** The event's `id`, for an event. */
  eventId?: string;
  /** The event's `type`, for an event. */
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
  /**
   * Milliseconds a body may take to arrive once its headers have; 30 s by
   * default. A slower one is answered 408 and its buffer released.
   */
  bodyTimeout?: number;
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
  /** Answers the five `users.*` actions, as UserHub's user directory. */
  users?: CustomUserProvider;
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
  readonly #deadlines: BodyDeadlines;
  readonly #budget: BodyBudget;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #onError: (error: unknown, context: ErrorContext) => void;
  readonly #duplicates: Duplicates;
  readonly #actions = new Map<string, Route>();
  #eventHandlers: EventHandlers | undefined;
  #onEvent: EventHandler | undefined;

  /**
   * Makes a receiver; register handlers with `onEvents`, `onEvent` and `onAction`.
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
    this.#deadlines = new BodyDeadlines(config.bodyTimeout ?? BODY_DEADLINE_MS);
    this.#budget = new BodyBudget(config.maxBufferedBytes ?? MAX_BUFFERED_BYTES);
    this.#now = config.now ?? Date.now;
    const logger = this.#logger = config.logger ?? consoleLogger;
    this.#onError = config.onError ?? ((error, context) => {
      const about = context.eventId === undefined
        ? `action ${context.action}`
        : `event ${context.eventId} (${context.eventType})`;
      logger.error(`Handler failed for ${about}:`, error);
    });
    this.#duplicates = new Duplicates(config.guard, logger, this.#tolerance, this.#now);
    const users = config.users;
    if (users !== undefined) {
      this.onAction("users.list", (request) => users.listUsers(request))
        .onAction("users.get", (request) => users.getUser(request))
        .onAction("users.create", (user) => users.createUser(user))
        .onAction("users.update", (user) => users.updateUser(user))
        .onAction("users.delete", (request) => users.deleteUser(request) as void);
    }
  }

  /**
   * Sets the handler of each event type. Each event is logged (`Event:
   * <type>`) and runs the handler of its type; an event of a type with no
   * handler is acknowledged, never failed: UserHub adds types at any time.
   * @param handlers Event type → handler; the compiler checks each against its type.
   * @returns This webhook.
   */
  onEvents(handlers: EventHandlers): this {
    this.#eventHandlers = handlers;
    return this;
  }

  /**
   * Sets the handler of every event that {@linkcode onEvents} has no handler for.
   * @param handler Runs for each verified event; the call answers 200 once
   * what it returns (a promise, or any thenable) settles.
   * @returns This webhook.
   */
  onEvent(handler: EventHandler): this {
    this.#onEvent = handler;
    return this;
  }

  /**
   * Sets the handler of one action, such as `users.get`. A `users.*` action's
   * request is checked before its handler runs (a bad one is a 400), and its
   * result before it is sent.
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
    const contract = Object.hasOwn(USER_ACTION_CONTRACTS, name)
      ? USER_ACTION_CONTRACTS[name as UserActionName] as ActionContract<unknown, unknown>
      : ANY;
    this.#actions.set(name, { contract, run: handler as ActionHandler });
    return this;
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
   * @returns The response, the call's report, and the raw body once read.
   */
  async receive(request: Request): Promise<Receipt> {
    const receipt = await this.#receive(request);
    recordCall(receipt.report);
    return receipt;
  }

  async #receive(request: Request): Promise<Receipt> {
    if (request.method !== "POST") {
      await request.body?.cancel();
      return this.#refused(
        new WebhookError("INVALID_ARGUMENT", `Method ${request.method} is not allowed: use POST`, {
          status: 405,
          headers: { allow: "POST" },
        }),
      );
    }
    let body: Uint8Array;
    try {
      body = await readBody(request, this.#maxBodyBytes, this.#budget, this.#deadlines);
    } catch (error) {
      return this.#refused(
        error instanceof WebhookError
          ? error
          : new WebhookError("INVALID_ARGUMENT", "Cannot read body: the request ended early"),
      );
    }
    try {
      let call: VerifiedCall;
      try {
        const options = { keys: this.#keys, now: this.#now(), tolerance: this.#tolerance };
        call = await verifyCall({ headers: request.headers, body, url: request.url }, options);
      } catch (error) {
        return { ...this.#refused(error), body };
      }
      return { ...await this.#answer(call), body };
    } finally {
      this.#budget.give(body.length);
    }
  }

  /** A verified call, answered by the handler of its action. */
  async #answer(call: VerifiedCall): Promise<Receipt> {
    if (call.action === "events.handle") return await this.#event(call);
    if (call.action === "challenge") return await this.#challenge(call);
    return await this.#action(call);
  }

  async #event(call: VerifiedCall): Promise<Receipt> {
    const action = call.action;
    if (this.#eventHandlers === undefined && this.#onEvent === undefined) {
      return this.#unimplemented(action);
    }
    let event: Event;
    try {
      event = decode(call.body);
    } catch (error) {
      return this.#failed(error, { action });
    }
    const about = { action, eventId: event.id, eventType: event.type };
    try {
      const outcome = await this.#duplicates.runEvent(call, event, () => this.#handle(event));
      if (outcome === "duplicate") {
        this.#logger.info(`Duplicate: ${event.id} (${event.type}) already handled, skipped`);
      }
      return answered(jsonResponse(200, "{}"), { ...about, outcome });
    } catch (error) {
      return this.#failed(error, about);
    }
  }

  /** Runs the handler of an event's type, or the catch-all one. */
  async #handle(event: Event): Promise<void> {
    const typed = this.#eventHandlers;
    const handler = typed !== undefined && Object.hasOwn(typed, event.type)
      ? typed[event.type as EventType] as EventHandler | undefined
      : undefined;
    if (handler !== undefined) this.#logger.info(`Event: ${event.type}`);
    const run = handler ?? this.#onEvent;
    if (run === undefined) {
      this.#logger.info(`Event: ${event.type} (no handler, acknowledged)`);
      return;
    }
    await inHandler({ eventType: event.type }, async () => await run(event));
  }

  async #challenge(call: VerifiedCall): Promise<Receipt> {
    const action = call.action;
    await this.#duplicates.admitChallenge(call);
    try {
      const input = parseJson(call.body, "Cannot read call");
      if (!isObject(input) || typeof input.challenge !== "string") {
        throw new WebhookError(
          "INVALID_ARGUMENT",
          'Cannot answer challenge: no "challenge" string',
        );
      }
    } catch (error) {
      return this.#failed(error, { action });
    }
    return answered(jsonResponse(200, new Uint8Array(call.body)), { action, outcome: "answered" });
  }

  async #action(call: VerifiedCall): Promise<Receipt> {
    const action = call.action;
    const route = this.#actions.get(action);
    if (route === undefined) return this.#unimplemented(action);
    try {
      const body = parseJson(call.body, "Cannot read call");
      // A replay is refused as such, whatever its body.
      await this.#duplicates.admitAction(call);
      const input = route.contract.read(body);
      const result = await inHandler({ action }, async () => await route.run(input));
      const answer = ranHandler(() => route.contract.check(result));
      return answered(jsonResponse(200, JSON.stringify(answer ?? {})), {
        action,
        outcome: "answered",
      });
    } catch (error) {
      return this.#failed(error, { action });
    }
  }

  /** A call refused before it was verified; logged as such. */
  #refused(error: unknown): Receipt {
    const response = errorResponse(error);
    const report: CallReport = {
      outcome: response.status === 503 ? "unavailable" : "rejected",
      status: response.status,
    };
    if (error instanceof WebhookError) {
      this.#logger.warn(`Rejected (${error.status}): ${error.message}`);
      report.reason = error.message;
    }
    return { response, report };
  }

  #unimplemented(action: string): Receipt {
    const error = new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${action}`);
    this.#logger.warn(`Refused ${action} (${error.status}): ${error.message}`);
    return answered(errorResponse(error), {
      action,
      outcome: "unimplemented",
      reason: error.message,
    });
  }

  /**
   * The answer to an error thrown while a verified call was handled, its log
   * line and its report: what became of the call follows from what failed.
   */
  #failed(thrown: unknown, about: ErrorContext): Receipt {
    const inHandler = thrown instanceof HandlerFailure;
    const error = inHandler ? thrown.cause : thrown;
    const outcome = outcomeOf(error, inHandler, about.action);
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof StoreError) {
      // Logged by the duplicate check, which keeps a failing store from flooding the log.
    } else if (error instanceof WebhookError && outcome === "answered") {
      this.#logger.info(`Answered ${about.action} (${error.status}): ${error.message}`);
    } else if (
      error instanceof WebhookError && (error.status < 500 || error.code === "UNIMPLEMENTED")
    ) {
      this.#logger.warn(`Refused ${about.action} (${error.status}): ${error.message}`);
    } else {
      this.#onError(error, about);
    }
    return answered(errorResponse(error), { ...about, outcome, reason });
  }
}

/** A call's answer and its report, whose status is the answer's. */
function answered(response: Response, report: Omit<CallReport, "status">): Receipt {
  return { response, report: { ...report, status: response.status } };
}

/**
 * What became of a call that threw: a handler that threw failed, unless an
 * action's handler threw a `WebhookError`, which is its answer (say, "User not
 * found"). Before any handler ran, the call was refused: busy, unavailable or
 * rejected.
 */
function outcomeOf(error: unknown, inHandler: boolean, action: string): Outcome {
  if (inHandler) {
    return action !== "events.handle" && error instanceof WebhookError ? "answered" : "failed";
  }
  if (error instanceof BusyError) return "busy";
  if (error instanceof StoreError) return "unavailable";
  return error instanceof WebhookError ? "rejected" : "failed";
}

/** What a handler threw (or its result's check), kept apart from the receiver's own refusals. */
class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super("Handler failed", { cause });
  }
}

/** Runs a handler in its span; what it throws becomes a {@linkcode HandlerFailure}. */
async function inHandler<T>(
  call: { eventType: string } | { action: string },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await inHandlerSpan(call, run);
  } catch (error) {
    throw new HandlerFailure(error);
  }
}

/** Runs code that belongs to the handler's answer, such as the check of its result. */
function ranHandler<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new HandlerFailure(error);
  }
}

/** An action's handler, and how its request is read and its result checked. */
interface Route {
  contract: ActionContract<unknown, unknown>;
  run: ActionHandler;
}

/** The contract of an action this receiver has no type for: any JSON in, any JSON out. */
const ANY: ActionContract<unknown, unknown> = { read: (input) => input, check: (result) => result };

/** {@linkcode decodeEvent}, with any failure of its own (say, nesting too deep) a 400. */
function decode(body: Uint8Array): Event {
  try {
    return decodeEvent(body);
  } catch (error) {
    if (error instanceof WebhookError) throw error;
    throw new WebhookError("INVALID_ARGUMENT", "Cannot decode event: the body is not an event");
  }
}
