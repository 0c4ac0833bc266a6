/**
 * Organizations, users, their members and roles, and the objects they embed:
 * an address, and a subscription summary with its plan and product. Each is
 * declared once, as the shape the decoder checks; its type is inferred from
 * the shape. `models.ts` exports them with the other models.
 *
 * @module
 */

import type { Infer, Rule } from "./_shape.ts";

/** Whether an object holds every field (`FULL`) or a summary (`BASIC`), as `view` says. */
export type View = "BASIC" | "FULL";

/** The shape of an {@linkcode Address}. */
export const ADDRESS_SHAPE = {
  required: {},
  optional: {
    /** The street lines of the address, in order. */
    lines: ["string"],
    /** The city. */
    city: "string",
    /** The state or province. */
    state: "string",
    /** The postal code. */
    postalCode: "string",
    /** The country. */
    country: "string",
  },
} as const satisfies Rule;

/** A postal address. */
export type Address = Infer<typeof ADDRESS_SHAPE>;

/** The shape of a {@linkcode Product}. */
export const PRODUCT_SHAPE = {
  required: {
    /** The product's id. */
    id: "string",
    /** The product's display name. */
    displayName: "string",
  },
  optional: {
    /** The product's unique identifier, besides `id`. */
    uniqueId: "string",
  },
} as const satisfies Rule;

/** The product a plan belongs to. */
export type Product = Infer<typeof PRODUCT_SHAPE>;

/** The shape of a {@linkcode PlanSummary}. */
export const PLAN_SUMMARY_SHAPE = {
  required: {
    /** The plan's id. */
    id: "string",
    /** The plan's display name. */
    displayName: "string",
  },
  optional: {
    /** The product the plan belongs to. */
    product: PRODUCT_SHAPE,
  },
} as const satisfies Rule;

/** A plan summary as embedded in subscriptions. */
export type PlanSummary = Infer<typeof PLAN_SUMMARY_SHAPE>;

/** The shape of an {@linkcode AccountSubscription}. */
export const ACCOUNT_SUBSCRIPTION_SHAPE = {
  required: {
    /** The subscription's id. */
    id: "string",
    /** The subscription's state. */
    state: "string",
  },
  optional: {
    /** The subscription's anchor time. */
    anchorTime: "time",
    /** A summary of the subscribed plan. */
    plan: PLAN_SUMMARY_SHAPE,
  },
} as const satisfies Rule;

/** The subscription summary embedded in an organization or user. */
export type AccountSubscription = Infer<typeof ACCOUNT_SUBSCRIPTION_SHAPE>;

/** The shape of an {@linkcode Account}. */
export const ACCOUNT_SHAPE = {
  required: {
    /** The account's id. */
    id: "string",
    /** For example `ACTIVE`. */
    state: "string",
    /** Whether this is the `BASIC` or the `FULL` view of the account. */
    view: "string",
    /** When the account was created. */
    createTime: "time",
    /** When the account was last updated. */
    updateTime: "time",
  },
  optional: {
    /** The reason for the account's current state. */
    stateReason: "string",
    /** The account's unique identifier, besides `id`. */
    uniqueId: "string",
    /** The account's display name. */
    displayName: "string",
    /** The account's email address. */
    email: "string",
    /** Whether the email address is verified. */
    emailVerified: "boolean",
    /** E.164. */
    phoneNumber: "string",
    /** Whether the phone number is verified. */
    phoneNumberVerified: "boolean",
    /** The URL of the account's image. */
    imageUrl: "string",
    /** ISO-4217. */
    currencyCode: "string",
    /** BCP-47. */
    languageCode: "string",
    /** The account's region code. */
    regionCode: "string",
    /** IANA time zone. */
    timeZone: "string",
    /** The account's postal address. */
    address: ADDRESS_SHAPE,
    /** The account's connections, as UserHub sends them. */
    accountConnections: ["object"],
    /** A summary of the account's subscription. */
    subscription: ACCOUNT_SUBSCRIPTION_SHAPE,
    /** When the account signed up. */
    signupTime: "time",
    /** Whether the account is disabled. */
    disabled: "boolean",
  },
} as const satisfies Rule;

/** Fields shared by organizations and users. */
export type Account = Infer<typeof ACCOUNT_SHAPE>;

/** The shape of an {@linkcode Organization}. */
export const ORGANIZATION_SHAPE = {
  required: ACCOUNT_SHAPE.required,
  optional: {
    ...ACCOUNT_SHAPE.optional,
    /** The number of members of the organization. */
    memberCount: "number",
  },
} as const satisfies Rule;

/** A UserHub organization. */
export type Organization = Infer<typeof ORGANIZATION_SHAPE>;

/** The shape of a {@linkcode Role}. */
export const ROLE_SHAPE = {
  required: {
    /** The role's id. */
    id: "string",
    /** The role's unique identifier, besides `id`. */
    uniqueId: "string",
    /** The role's display name. */
    displayName: "string",
    /** The role's type. */
    type: "string",
    /** The ids of the permission sets the role grants. */
    permissionSets: ["string"],
    /** Whether this is the `BASIC` or the `FULL` view of the role. */
    view: "string",
    /** When the role was created. */
    createTime: "time",
    /** When the role was last updated. */
    updateTime: "time",
  },
  optional: {
    /** A description of the role. */
    description: "string",
    /** The role's seat policy, as UserHub sends it. */
    seatPolicy: "string",
    /** Whether this is the default role. */
    default: "boolean",
    /** Whether the role is archived. */
    archived: "boolean",
  },
} as const satisfies Rule;

/** A role a member holds in an organization. */
export type Role = Infer<typeof ROLE_SHAPE>;

/** The shape of a {@linkcode Membership}. */
export const MEMBERSHIP_SHAPE = {
  required: {},
  optional: {
    /** The organization the user is a member of. */
    organization: ORGANIZATION_SHAPE,
    /** The role the user holds in the organization. */
    role: ROLE_SHAPE,
    /** The seat the member holds, as UserHub sends it. */
    seat: "object",
    /** When the membership was created. */
    createTime: "time",
    /** When the membership was last updated. */
    updateTime: "time",
  },
} as const satisfies Rule;

/** A user's membership in an organization. */
export type Membership = Infer<typeof MEMBERSHIP_SHAPE>;

/** The shape of a {@linkcode User}. */
export const USER_SHAPE = {
  required: ACCOUNT_SHAPE.required,
  optional: {
    ...ACCOUNT_SHAPE.optional,
    /** The user's memberships in organizations. */
    memberships: [MEMBERSHIP_SHAPE],
  },
} as const satisfies Rule;

/** A UserHub user. */
export type User = Infer<typeof USER_SHAPE>;

/** The shape of a {@linkcode Member}. */
export const MEMBER_SHAPE = {
  required: {
    /** The membership's state. */
    state: "string",
    /** The user who is the member. */
    user: USER_SHAPE,
    /** The role the member holds in the organization. */
    role: ROLE_SHAPE,
    /** Whether this is the `BASIC` or the `FULL` view of the member. */
    view: "string",
    /** When the membership was created. */
    createTime: "time",
    /** When the membership was last updated. */
    updateTime: "time",
  },
  optional: {
    /** The seat the member holds, as UserHub sends it. */
    seat: "object",
  },
} as const satisfies Rule;

/** A user's membership as seen from the organization. */
export type Member = Infer<typeof MEMBER_SHAPE>;
