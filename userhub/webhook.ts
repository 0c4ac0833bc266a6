/**
 * The UserHub webhook receiver. A call reads forward, one step a function:
 * method → body → verify → decode → duplicate check → handler → answer. What
 * became of it (its {@linkcode CallReport}) is what the path returns; it is
 * written in one place, when the call is answered.
 *
 * @module
 */

import { MAX_BODY_BYTES, readBody } from "./_body.ts";
import { BODY_DEADLINE_MS, BodyBudget, BodyDeadlines, MAX_BUFFERED_BYTES } from "./_body_limits.ts";
import { Duplicates } from "./_duplicates.ts";
import { isObject, parseJson } from "./_json.ts";
import { parseSecrets, SigningKey } from "./_signature.ts";
import { failed, inHandler, ranHandler, refused, unimplemented } from "./_failure.ts";
import { recordCall } from "./_telemetry.ts";
import { TIMESTAMP_TOLERANCE_SECONDS, type VerifiedCall, verifyCall } from "./_verify.ts";
import { jsonResponse, WebhookError } from "./errors.ts";
import { decodeEvent, type Event, type EventHandlers, type EventType } from "./events.ts";
import type { ActionHandler, ErrorContext, EventHandler, WebhookOptions } from "./options.ts";
import { consoleLogger, type Logger, oneLine } from "./log.ts";
import { answered, type Receipt } from "./report.ts";
import {
  type ActionContract,
  USER_ACTION_CONTRACTS,
  type UserActionName,
  type UserActions,
} from "./users.ts";

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
  readonly #onError: (error: unknown, context: ErrorContext) => unknown;
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
      logger.error(`Handler failed for ${about}: ${oneLine(error)}`);
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
      // Its body is left alone: a cancelled one would keep the connection open (see _body.ts).
      return refused(
        this.#logger,
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
      return refused(
        this.#logger,
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
        return { ...refused(this.#logger, error), body };
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
      return unimplemented(this.#logger, action);
    }
    let event: Event;
    try {
      event = decode(call.body);
    } catch (error) {
      return await failed(error, { action }, this.#logger, this.#onError);
    }
    const about = { action, eventId: event.id, eventType: event.type };
    try {
      const outcome = await this.#duplicates.runEvent(call, event, () => this.#handle(event));
      if (outcome === "duplicate") {
        this.#logger.info(`Duplicate: ${event.id} (${event.type}) already handled, skipped`);
      }
      return answered(jsonResponse(200, "{}"), { ...about, outcome });
    } catch (error) {
      return await failed(error, about, this.#logger, this.#onError);
    }
  }

  /** Runs the handler of an event's type, or the catch-all one: `unhandled` when there is none. */
  async #handle(event: Event): Promise<"handled" | "unhandled"> {
    const typed = this.#eventHandlers;
    const handler = typed !== undefined && Object.hasOwn(typed, event.type)
      ? typed[event.type as EventType] as EventHandler | undefined
      : undefined;
    if (handler !== undefined) this.#logger.info(`Event: ${event.type}`);
    const run = handler ?? this.#onEvent;
    if (run === undefined) {
      this.#logger.warn(
        `Event: ${event.type} has no handler, acknowledged (add one to handlers/mod.ts)`,
      );
      return "unhandled";
    }
    await inHandler({ eventType: event.type }, async () => await run(event));
    return "handled";
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
      return await failed(error, { action }, this.#logger, this.#onError);
    }
    this.#logger.info("Answered challenge (200): UserHub may activate the webhook");
    return answered(jsonResponse(200, new Uint8Array(call.body)), { action, outcome: "answered" });
  }

  async #action(call: VerifiedCall): Promise<Receipt> {
    const action = call.action;
    const route = this.#actions.get(action);
    if (route === undefined) return unimplemented(this.#logger, action);
    try {
      const body = parseJson(call.body, "Cannot read call");
      // A replay is refused as such, whatever its body.
      await this.#duplicates.admitAction(call);
      const input = route.contract.read(body);
      const result = await inHandler({ action }, async () => await route.run(input));
      const answer = ranHandler(() => route.contract.check(result));
      this.#logger.info(`Answered ${action} (200)`);
      return answered(jsonResponse(200, JSON.stringify(answer ?? {})), {
        action,
        outcome: "answered",
      });
    } catch (error) {
      return await failed(error, { action }, this.#logger, this.#onError);
    }
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
