/**
 * The shape of each UserHub object, checked before a handler sees it: every
 * field the contract marks required, and the type of every field present.
 * The compiler holds each shape to its type in `models.ts`.
 *
 * @module
 */

import type {
  AccountSubscription,
  Address,
  CustomUser,
  Flow,
  Member,
  Membership,
  Organization,
  Period,
  PlanSummary,
  Product,
  Role,
  Subscription,
  User,
} from "./models.ts";
import type { Shape } from "./_shape.ts";

const ADDRESS: Shape<Address> = {
  required: {},
  optional: {
    lines: ["string"],
    city: "string",
    state: "string",
    postalCode: "string",
    country: "string",
  },
};

const PRODUCT: Shape<Product> = {
  required: { id: "string", displayName: "string" },
  optional: { uniqueId: "string" },
};

const PLAN_SUMMARY: Shape<PlanSummary> = {
  required: { id: "string", displayName: "string" },
  optional: { product: PRODUCT },
};

const ACCOUNT_SUBSCRIPTION: Shape<AccountSubscription> = {
  required: { id: "string", state: "string" },
  optional: { anchorTime: "time", plan: PLAN_SUMMARY },
};

const ACCOUNT = {
  required: {
    id: "string",
    state: "string",
    view: "string",
    createTime: "time",
    updateTime: "time",
  },
  optional: {
    stateReason: "string",
    uniqueId: "string",
    displayName: "string",
    email: "string",
    emailVerified: "boolean",
    phoneNumber: "string",
    phoneNumberVerified: "boolean",
    imageUrl: "string",
    currencyCode: "string",
    languageCode: "string",
    regionCode: "string",
    timeZone: "string",
    address: ADDRESS,
    accountConnections: ["object"],
    subscription: ACCOUNT_SUBSCRIPTION,
    signupTime: "time",
    disabled: "boolean",
  },
} as const;

/** The shape of an organization. */
export const ORGANIZATION: Shape<Organization> = {
  required: ACCOUNT.required,
  optional: { ...ACCOUNT.optional, memberCount: "number" },
};

const ROLE: Shape<Role> = {
  required: {
    id: "string",
    uniqueId: "string",
    displayName: "string",
    type: "string",
    permissionSets: ["string"],
    view: "string",
    createTime: "time",
    updateTime: "time",
  },
  optional: {
    description: "string",
    seatPolicy: "string",
    default: "boolean",
    archived: "boolean",
  },
};

const MEMBERSHIP: Shape<Membership> = {
  required: {},
  optional: {
    organization: ORGANIZATION,
    role: ROLE,
    seat: "object",
    createTime: "time",
    updateTime: "time",
  },
};

/** The shape of a user. */
export const USER: Shape<User> = {
  required: ACCOUNT.required,
  optional: { ...ACCOUNT.optional, memberships: [MEMBERSHIP] },
};

/** The shape of a member of an organization. */
export const MEMBER: Shape<Member> = {
  required: {
    state: "string",
    user: USER,
    role: ROLE,
    view: "string",
    createTime: "time",
    updateTime: "time",
  },
  optional: { seat: "object" },
};

const PERIOD: Shape<Period> = {
  required: {},
  optional: { startTime: "time", endTime: "time" },
};

/** The shape of a subscription. */
export const SUBSCRIPTION: Shape<Subscription> = {
  required: {
    id: "string",
    state: "string",
    view: "string",
    createTime: "time",
    updateTime: "time",
  },
  optional: {
    stateReason: "string",
    externalId: "string",
    currencyCode: "string",
    plan: PLAN_SUMMARY,
    items: ["object"],
    seats: ["object"],
    renewCanceled: "boolean",
    cancelPeriodEnd: "boolean",
    anchorTime: "time",
    startTime: "time",
    endTime: "time",
    trial: PERIOD,
    currentPeriod: PERIOD,
    organization: ORGANIZATION,
    user: USER,
    default: "boolean",
  },
};

/** The shape of an invitation or sign-up flow. */
export const FLOW: Shape<Flow> = {
  required: {
    id: "string",
    state: "string",
    type: "string",
    startTime: "time",
    view: "string",
    createTime: "time",
    updateTime: "time",
  },
  optional: {
    stateReason: "string",
    organization: ORGANIZATION,
    user: USER,
    creator: USER,
    expireTime: "time",
    ttl: "string",
    secret: "string",
    joinOrganization: {
      required: {},
      optional: { displayName: "string", email: "string", role: ROLE },
    },
    signup: {
      required: {},
      optional: { email: "string", displayName: "string", createOrganization: "boolean" },
    },
  },
};

/** The shape of a user of a custom user connection. */
export const CUSTOM_USER: Shape<CustomUser> = {
  required: { id: "string" },
  optional: {
    displayName: "string",
    email: "string",
    emailVerified: "boolean",
    phoneNumber: "string",
    phoneNumberVerified: "boolean",
    imageUrl: "string",
    disabled: "boolean",
  },
};
