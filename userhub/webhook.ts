/**
 * The UserHub webhook receiver, with the API of the official SDKs:
 * `new Webhook(secret)`, `onEvent`, `onChallenge`, `onAction`, `onDefault`,
 * the custom user connection's `onListUsers`, `onGetUser`, `onCreateUser`,
 * `onUpdateUser` and `onDeleteUser`, `verify` and `handleFromWeb`.
 *
 * @module
 */

import type {
  ListUsersRequest,
  ListUsersResult,
  UserActionName,
  UserActions,
  UserIdRequest,
} from "./actions.ts";
import {
  BODY_DEADLINE_MS,
  BodyBudget,
  BodyDeadlines,
  MAX_BODY_BYTES,
  MAX_BUFFERED_BYTES,
  readBody,
} from "./body.ts";
import type { CallReport, Receipt } from "./call_report.ts";
import { type ActionContract, USER_ACTION_CONTRACTS } from "./custom_users.ts";
import { BusyError, DeliveryGate } from "./delivery_gate.ts";
import { WebhookError } from "./error.ts";
import { decodeEvent, type Event } from "./event.ts";
import { isObject, parseJson } from "./json.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import type { CustomUser } from "./models.ts";
import { errorResponse, jsonResponse } from "./response.ts";
import { parseSecrets, SigningKey } from "./signature.ts";
import { StoreError } from "./store_outage.ts";
import { inHandlerSpan, recordCall } from "./telemetry.ts";
import {
  TIMESTAMP_TOLERANCE_SECONDS,
  type UnverifiedCall,
  type VerifiedCall,
  verifyCall,
} from "./verify.ts";
import type {
  ActionHandler,
  ChallengeHandler,
  DefaultHandler,
  ErrorContext,
  EventHandler,
  WebhookOptions,
} from "./webhook_options.ts";

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
  readonly #gate: DeliveryGate;
  readonly #actions = new Map<string, Route>();
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
    this.#deadlines = new BodyDeadlines(config.bodyTimeout ?? BODY_DEADLINE_MS);
    this.#budget = new BodyBudget(config.maxBufferedBytes ?? MAX_BUFFERED_BYTES);
    this.#now = config.now ?? Date.now;
    this.#logger = config.logger ?? consoleLogger;
    this.#onError = config.onError ?? ((error, context) => {
      const about = context.eventId === undefined
        ? `action ${context.action}`
        : `event ${context.eventId} (${context.eventType})`;
      this.#logger.error(`Handler failed for ${about}:`, error);
    });
    this.#gate = new DeliveryGate(config.guard, this.#logger, this.#tolerance, this.#now);
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
    const contract = Object.hasOwn(USER_ACTION_CONTRACTS, name)
      ? USER_ACTION_CONTRACTS[name as UserActionName]
      : ANY;
    this.#actions.set(name, { contract, run: handler as ActionHandler });
    return this;
  }

  /**
   * Answers `users.list`: one page of the app's users, as UserHub's user
   * directory. The request is checked first (`pageSize` a whole number from 1
   * to 1000, `pageToken` a string), the result before it is sent.
   * @param handler Gets the page asked for, returns its users and the next page's token.
   * @returns This webhook.
   */
  onListUsers(handler: ActionHandler<ListUsersRequest, ListUsersResult>): this {
    return this.onAction("users.list", handler);
  }

  /**
   * Answers `users.get`: one user, or {@linkcode UserNotFoundError}.
   * @param handler Gets the user's `id`, returns the user.
   * @returns This webhook.
   */
  onGetUser(handler: ActionHandler<UserIdRequest, CustomUser>): this {
    return this.onAction("users.get", handler);
  }

  /**
   * Answers `users.create`: stores a new user.
   * @param handler Gets the user (a `CustomUser` with a non-empty `id`), returns it as stored.
   * @returns This webhook.
   */
  onCreateUser(handler: ActionHandler<CustomUser, CustomUser>): this {
    return this.onAction("users.create", handler);
  }

  /**
   * Answers `users.update`: replaces a user.
   * @param handler Gets the user, returns it as stored.
   * @returns This webhook.
   */
  onUpdateUser(handler: ActionHandler<CustomUser, CustomUser>): this {
    return this.onAction("users.update", handler);
  }

  /**
   * Answers `users.delete`: deletes a user; the answer is `{}`.
   * @param handler Gets the user's `id`.
   * @returns This webhook.
   */
  onDeleteUser(handler: ActionHandler<UserIdRequest, unknown>): this {
    return this.onAction("users.delete", handler as ActionHandler);
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
    const receipt = await this.#receive(request);
    recordCall(receipt.report);
    return receipt;
  }

  async #receive(request: Request): Promise<Receipt> {
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
      body = await readBody(request, this.#maxBodyBytes, this.#budget, this.#deadlines);
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
        return { ...this.#refused(report, error), body };
      }
      report.action = call.action;
      return { ...await this.#answer(call, report), body };
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
    report.outcome = await this.#gate.runEvent(call, event, async () => {
      report.outcome = "failed";
      await inHandlerSpan({ eventType: event.type }, async () => await onEvent(event));
    });
    if (report.outcome === "duplicate") {
      this.#logger.info(`Duplicate: ${event.id} (${event.type}) already handled, skipped`);
    }
    return ok();
  }

  async #challenge(call: VerifiedCall, report: CallReport): Promise<Response> {
    await this.#gate.admitChallenge(call);
    const input = parseJson(call.body, "Cannot read call");
    if (!isObject(input) || typeof input.challenge !== "string") {
      throw new WebhookError("INVALID_ARGUMENT", 'Cannot answer challenge: no "challenge" string');
    }
    if (this.#onChallenge === undefined) {
      report.outcome = "answered";
      return jsonResponse(200, new Uint8Array(call.body));
    }
    report.outcome = "failed";
    const onChallenge = this.#onChallenge;
    const challenge = { ...input, challenge: input.challenge };
    const answer = await inHandlerSpan(
      { action: call.action },
      async () => await onChallenge(challenge),
    );
    report.outcome = "answered";
    return resultResponse(answer);
  }

  async #action(call: VerifiedCall, report: CallReport): Promise<Response> {
    const route = call.action === "events.handle" ? undefined : this.#route(call.action);
    if (route === undefined) {
      report.outcome = "unimplemented";
      throw new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${call.action}`);
    }
    const body = parseJson(call.body, "Cannot read call");
    // A replay is refused as such, whatever its body.
    await this.#gate.admitAction(call);
    const input = route.contract.read(body);
    report.outcome = "failed";
    let result: unknown;
    try {
      result = await inHandlerSpan({ action: call.action }, async () => await route.run(input));
    } catch (error) {
      // An error with a UserHub code is the handler's answer, such as "User not found".
      if (error instanceof WebhookError) report.outcome = "answered";
      throw error;
    }
    const answer = route.contract.check(result);
    report.outcome = "answered";
    return resultResponse(answer);
  }

  /** The action's own handler, or the default handler. */
  #route(action: string): Route | undefined {
    const onDefault = this.#onDefault;
    return this.#actions.get(action) ??
      (onDefault && { contract: ANY, run: (input: unknown) => onDefault(action, input) });
  }

  /** The answer to an error thrown while a verified call was handled, and its log line. */
  #failed(error: unknown, report: CallReport): Response {
    const action = report.action ?? "";
    report.reason = error instanceof Error ? error.message : String(error);
    if (error instanceof BusyError) report.outcome = "busy";
    if (error instanceof StoreError) {
      // Logged by the gate, which keeps a failing store from flooding the log.
      report.outcome = "unavailable";
    } else if (error instanceof WebhookError && report.outcome === "answered") {
      this.#logger.info(`Answered ${action} (${error.status}): ${error.message}`);
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

function ok(): Response {
  return jsonResponse(200, "{}");
}

function resultResponse(result: unknown): Response {
  return jsonResponse(200, JSON.stringify(result ?? {}));
}
