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
} from "./users.ts";
import {
  BODY_DEADLINE_MS,
  BodyBudget,
  BodyDeadlines,
  MAX_BODY_BYTES,
  MAX_BUFFERED_BYTES,
  readBody,
} from "./_body.ts";
import type { CallReport, Receipt } from "./call_report.ts";
import { CallRunner } from "./call_runner.ts";
import { DeliveryGate } from "../dedupe/_gate.ts";
import { WebhookError } from "./errors.ts";
import { consoleLogger, type Logger } from "./log.ts";
import type { CustomUser } from "./models.ts";
import { errorResponse } from "./errors.ts";
import { parseSecrets, SigningKey } from "./_signature.ts";
import { recordCall } from "./_telemetry.ts";
import {
  TIMESTAMP_TOLERANCE_SECONDS,
  type UnverifiedCall,
  type VerifiedCall,
  verifyCall,
} from "./_verify.ts";
import type {
  ActionHandler,
  ChallengeHandler,
  DefaultHandler,
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
  readonly #runner: CallRunner;

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
    const onError = config.onError ?? ((error, context) => {
      const about = context.eventId === undefined
        ? `action ${context.action}`
        : `event ${context.eventId} (${context.eventType})`;
      this.#logger.error(`Handler failed for ${about}:`, error);
    });
    const gate = new DeliveryGate(config.guard, this.#logger, this.#tolerance, this.#now);
    this.#runner = new CallRunner(gate, this.#logger, onError);
  }

  /**
   * Sets the handler of `events.handle` calls.
   * @param handler Runs for each verified event; the call answers 200 once
   * what it returns (a promise, or any thenable) settles.
   * @returns This webhook.
   */
  onEvent(handler: EventHandler): this {
    this.#runner.setEvent(handler);
    return this;
  }

  /**
   * Replaces the default `challenge` answer, which echoes the body.
   * @param handler Returns the challenge answer.
   * @returns This webhook.
   */
  onChallenge(handler: ChallengeHandler): this {
    this.#runner.setChallenge(handler);
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
    this.#runner.setAction(name, handler as ActionHandler);
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
    this.#runner.setDefault(handler);
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
      return { ...await this.#runner.answer(call, report), body };
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
}
