/**
 * The UserHub objects carried by events and custom-user calls, each declared
 * once: as the shape the decoder checks before a handler sees it, its type
 * inferred from the shape. Every string field named `time` or ending in
 * `Time` is a `Date` once decoded. Fields the protocol marks required are
 * required here; everything else is optional, and objects may carry fields
 * newer than these types. Organizations, users, members and roles are in
 * `_accounts.ts`, exported here too.
 *
 * @module
 */

import type { Infer, Rule } from "./_shape.ts";
import { ORGANIZATION_SHAPE, PLAN_SUMMARY_SHAPE, ROLE_SHAPE, USER_SHAPE } from "./_accounts.ts";

export * from "./_accounts.ts";
export type { Fields, Infer, InferRule, Rule } from "./_shape.ts";

/** The shape of a {@linkcode Period}. */
export const PERIOD_SHAPE = {
  required: {},
  optional: {
    /** When the period starts. */
    startTime: "time",
    /** When the period ends. */
    endTime: "time",
  },
} as const satisfies Rule;

/** A start and end time. */
export type Period = Infer<typeof PERIOD_SHAPE>;

/** The shape of a {@linkcode Subscription}. */
export const SUBSCRIPTION_SHAPE = {
  required: {
    /** The subscription's id. */
    id: "string",
    /** The subscription's state. */
    state: "string",
    /** Whether this is the `BASIC` or the `FULL` view of the subscription. */
    view: "string",
    /** When the subscription was created. */
    createTime: "time",
    /** When the subscription was last updated. */
    updateTime: "time",
  },
  optional: {
    /** The reason for the subscription's current state. */
    stateReason: "string",
    /** The subscription's external id. */
    externalId: "string",
    /** The subscription's currency code. */
    currencyCode: "string",
    /** The subscribed plan, with any further plan fields UserHub sends. */
    plan: PLAN_SUMMARY_SHAPE,
    /** The subscription's items, as UserHub sends them. */
    items: ["object"],
    /** The subscription's seats, as UserHub sends them. */
    seats: ["object"],
    /** Whether the subscription's renewal is canceled. */
    renewCanceled: "boolean",
    /** Whether the subscription cancels at the end of its period. */
    cancelPeriodEnd: "boolean",
    /** The subscription's anchor time. */
    anchorTime: "time",
    /** When the subscription starts. */
    startTime: "time",
    /** When the subscription ends. */
    endTime: "time",
    /** The trial period, with any further trial fields UserHub sends. */
    trial: PERIOD_SHAPE,
    /** The subscription's current period. */
    currentPeriod: PERIOD_SHAPE,
    /** The organization the subscription belongs to. */
    organization: ORGANIZATION_SHAPE,
    /** The user the subscription belongs to. */
    user: USER_SHAPE,
    /** Whether this is the default subscription. */
    default: "boolean",
  },
} as const satisfies Rule;

/** A billing subscription. */
export type Subscription = Infer<typeof SUBSCRIPTION_SHAPE>;

/** The shape of a {@linkcode Flow}. */
export const FLOW_SHAPE = {
  required: {
    /** The flow's id. */
    id: "string",
    /** The flow's state. */
    state: "string",
    /** For example `JOIN_ORGANIZATION` or `SIGNUP`. */
    type: "string",
    /** When the flow started. */
    startTime: "time",
    /** Whether this is the `BASIC` or the `FULL` view of the flow. */
    view: "string",
    /** When the flow was created. */
    createTime: "time",
    /** When the flow was last updated. */
    updateTime: "time",
  },
  optional: {
    /** The reason for the flow's current state. */
    stateReason: "string",
    /** The organization the flow concerns. */
    organization: ORGANIZATION_SHAPE,
    /** The user the flow concerns. */
    user: USER_SHAPE,
    /** The user who created the flow. */
    creator: USER_SHAPE,
    /** When the flow expires. */
    expireTime: "time",
    /** The flow's time to live, as UserHub sends it. */
    ttl: "string",
    /** The flow's secret, as UserHub sends it. */
    secret: "string",
    /** The details of a `JOIN_ORGANIZATION` flow. */
    joinOrganization: {
      required: {},
      optional: { displayName: "string", email: "string", role: ROLE_SHAPE },
    },
    /** The details of a `SIGNUP` flow. */
    signup: {
      required: {},
      optional: { email: "string", displayName: "string", createOrganization: "boolean" },
    },
  },
} as const satisfies Rule;

/** An invitation or sign-up flow. */
export type Flow = Infer<typeof FLOW_SHAPE>;

/** The shape of a {@linkcode CustomUser}. */
export const CUSTOM_USER_SHAPE = {
  required: {
    /** The user's id in the app's own user store. */
    id: "string",
  },
  optional: {
    /** The user's display name. */
    displayName: "string",
    /** The user's email address. */
    email: "string",
    /** Whether the email address is verified. */
    emailVerified: "boolean",
    /** E.164. */
    phoneNumber: "string",
    /** Whether the phone number is verified. */
    phoneNumberVerified: "boolean",
    /** The URL of the user's image. */
    imageUrl: "string",
    /** Whether the user is disabled. */
    disabled: "boolean",
  },
} as const satisfies Rule;

/** A user of a custom user connection (`users.*` actions): one of the app's own users. */
export type CustomUser = Infer<typeof CUSTOM_USER_SHAPE>;
