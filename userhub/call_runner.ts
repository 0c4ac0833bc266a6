/**
 * The handlers a {@linkcode Webhook} runs, and running the one of a verified
 * call: the event handler (once, through the delivery gate), the challenge's,
 * or an action's; every failure becomes its JSON answer and its log line.
 *
 * @module
 */

import { type CallReport, handlerOutcome, type Receipt } from "./call_report.ts";
import { type ActionContract, USER_ACTION_CONTRACTS } from "./users.ts";
import { BusyError, type DeliveryGate } from "../dedupe/_gate.ts";
import { WebhookError } from "./errors.ts";
import { decodeEvent, type Event } from "./events.ts";
import { isObject, parseJson } from "./_json.ts";
import type { Logger } from "./log.ts";
import { errorResponse, jsonResponse } from "./errors.ts";
import { StoreError } from "../dedupe/_outage_log.ts";
import { inHandlerSpan } from "./_telemetry.ts";
import type { VerifiedCall } from "./_verify.ts";
import type {
  ActionHandler,
  ChallengeHandler,
  DefaultHandler,
  ErrorContext,
  EventHandler,
} from "./webhook_options.ts";

/** Runs the handler of each verified call. */
export class CallRunner {
  readonly #gate: DeliveryGate;
  readonly #logger: Logger;
  readonly #onError: (error: unknown, context: ErrorContext) => void;
  readonly #actions = new Map<string, Route>();
  #onEvent: EventHandler | undefined;
  #onChallenge: ChallengeHandler | undefined;
  #onDefault: DefaultHandler | undefined;

  /**
   * Runs handlers through a gate, logging to a logger.
   * @param gate Applies the duplicate check.
   * @param logger Where refusals are logged.
   * @param onError Told of every handler failure.
   */
  constructor(
    gate: DeliveryGate,
    logger: Logger,
    onError: (error: unknown, context: ErrorContext) => void,
  ) {
    this.#gate = gate;
    this.#logger = logger;
    this.#onError = onError;
  }

  /** @param handler The handler of `events.handle`. */
  setEvent(handler: EventHandler): void {
    this.#onEvent = handler;
  }

  /** @param handler The answer to `challenge`, instead of the echo. */
  setChallenge(handler: ChallengeHandler): void {
    this.#onChallenge = handler;
  }

  /**
   * @param name An action.
   * @param handler Its handler; a `users.*` action's request and result are checked.
   */
  setAction(name: string, handler: ActionHandler): void {
    const contract = Object.hasOwn(USER_ACTION_CONTRACTS, name)
      ? USER_ACTION_CONTRACTS[name as keyof typeof USER_ACTION_CONTRACTS]
      : ANY;
    this.#actions.set(name, {
      contract: contract as ActionContract<unknown, unknown>,
      run: handler,
    });
  }

  /** @param handler The handler of every action that has none of its own. */
  setDefault(handler: DefaultHandler): void {
    this.#onDefault = handler;
  }

  /**
   * Runs the handler of a verified call; `report.outcome` follows its progress.
   * @param call The verified call.
   * @param report Its report, filled in here.
   * @returns The answer, and the report.
   */
  async answer(call: VerifiedCall, report: CallReport): Promise<Receipt> {
    let response: Response;
    try {
      if (call.action === "events.handle") {
        response = await this.#event(call, report);
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

  async #event(call: VerifiedCall, report: CallReport): Promise<Response> {
    const onEvent = this.#onEvent;
    if (onEvent === undefined) throw unimplemented(call.action, report);
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
    const route = this.#route(call.action);
    if (route === undefined) throw unimplemented(call.action, report);
    const body = parseJson(call.body, "Cannot read call");
    // A replay is refused as such, whatever its body.
    await this.#gate.admitAction(call);
    const input = route.contract.read(body);
    report.outcome = "failed";
    let result: unknown;
    try {
      result = await inHandlerSpan({ action: call.action }, async () => await route.run(input));
    } catch (error) {
      report.outcome = handlerOutcome("action", true, error);
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

function unimplemented(action: string, report: CallReport): WebhookError {
  report.outcome = "unimplemented";
  return new WebhookError("UNIMPLEMENTED", `Handler not implemented: ${action}`);
}

function ok(): Response {
  return jsonResponse(200, "{}");
}

function resultResponse(result: unknown): Response {
  return jsonResponse(200, JSON.stringify(result ?? {}));
}
