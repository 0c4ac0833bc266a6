/**
 * The UserHub objects carried by events, as decoded by this receiver: every
 * string field named `time` or ending in `Time` is a `Date`. Fields marked
 * required in the protocol are required here; everything else is optional,
 * and objects may carry fields newer than these types.
 *
 * @module
 */

/** Whether an object holds every field (`FULL`) or a summary (`BASIC`). */
export type View = "BASIC" | "FULL";

/** A postal address. */
export interface Address {
  /** The street lines of the address, in order. */
  lines?: string[];
  /** The city. */
  city?: string;
  /** The state or province. */
  state?: string;
  /** The postal code. */
  postalCode?: string;
  /** The country. */
  country?: string;
}

/** The product a plan belongs to. */
export interface Product {
  /** The product's id. */
  id: string;
  /** The product's unique identifier, besides `id`. */
  uniqueId?: string;
  /** The product's display name. */
  displayName: string;
}

/** A plan summary as embedded in subscriptions. */
export interface PlanSummary {
  /** The plan's id. */
  id: string;
  /** The plan's display name. */
  displayName: string;
  /** The product the plan belongs to. */
  product?: Product;
}

/** The subscription summary embedded in an organization or user. */
export interface AccountSubscription {
  /** The subscription's id. */
  id: string;
  /** The subscription's state. */
  state: string;
  /** The subscription's anchor time. */
  anchorTime?: Date;
  /** A summary of the subscribed plan. */
  plan?: PlanSummary;
}

/** Fields shared by organizations and users. */
export interface Account {
  /** The account's id. */
  id: string;
  /** For example `ACTIVE`. */
  state: string;
  /** The reason for the account's current state. */
  stateReason?: string;
  /** The account's unique identifier, besides `id`. */
  uniqueId?: string;
  /** The account's display name. */
  displayName?: string;
  /** The account's email address. */
  email?: string;
  /** Whether the email address is verified. */
  emailVerified?: boolean;
  /** E.164. */
  phoneNumber?: string;
  /** Whether the phone number is verified. */
  phoneNumberVerified?: boolean;
  /** The URL of the account's image. */
  imageUrl?: string;
  /** ISO-4217. */
  currencyCode?: string;
  /** BCP-47. */
  languageCode?: string;
  /** The account's region code. */
  regionCode?: string;
  /** IANA time zone. */
  timeZone?: string;
  /** The account's postal address. */
  address?: Address;
  /** The account's connections, as UserHub sends them. */
  accountConnections?: Record<string, unknown>[];
  /** A summary of the account's subscription. */
  subscription?: AccountSubscription;
  /** When the account signed up. */
  signupTime?: Date;
  /** Whether the account is disabled. */
  disabled?: boolean;
  /** Whether this is the `BASIC` or the `FULL` view of the account. */
  view: View;
  /** When the account was created. */
  createTime: Date;
  /** When the account was last updated. */
  updateTime: Date;
}

/** A UserHub organization. */
export interface Organization extends Account {
  /** The number of members of the organization. */
  memberCount?: number;
}

/** A user's membership in an organization. */
export interface Membership {
  /** The organization the user is a member of. */
  organization?: Organization;
  /** The role the user holds in the organization. */
  role?: Role;
  /** The seat the member holds, as UserHub sends it. */
  seat?: Record<string, unknown>;
  /** When the membership was created. */
  createTime?: Date;
  /** When the membership was last updated. */
  updateTime?: Date;
}

/** A UserHub user. */
export interface User extends Account {
  /** The user's memberships in organizations. */
  memberships?: Membership[];
}

/** A role a member holds in an organization. */
export interface Role {
  /** The role's id. */
  id: string;
  /** The role's unique identifier, besides `id`. */
  uniqueId: string;
  /** The role's display name. */
  displayName: string;
  /** The role's type. */
  type: string;
  /** A description of the role. */
  description?: string;
  /** The role's seat policy, as UserHub sends it. */
  seatPolicy?: string;
  /** The ids of the permission sets the role grants. */
  permissionSets: string[];
  /** Whether this is the default role. */
  default?: boolean;
  /** Whether the role is archived. */
  archived?: boolean;
  /** Whether this is the `BASIC` or the `FULL` view of the role. */
  view: View;
  /** When the role was created. */
  createTime: Date;
  /** When the role was last updated. */
  updateTime: Date;
}

/** A user's membership as seen from the organization. */
export interface Member {
  /** The membership's state. */
  state: string;
  /** The user who is the member. */
  user: User;
  /** The role the member holds in the organization. */
  role: Role;
  /** The seat the member holds, as UserHub sends it. */
  seat?: Record<string, unknown>;
  /** Whether this is the `BASIC` or the `FULL` view of the member. */
  view: View;
  /** When the membership was created. */
  createTime: Date;
  /** When the membership was last updated. */
  updateTime: Date;
}

/** A start and end time. */
export interface Period {
  /** When the period starts. */
  startTime?: Date;
  /** When the period ends. */
  endTime?: Date;
}

/** A billing subscription. */
export interface Subscription {
  /** The subscription's id. */
  id: string;
  /** The subscription's state. */
  state: string;
  /** The reason for the subscription's current state. */
  stateReason?: string;
  /** The subscription's external id. */
  externalId?: string;
  /** The subscription's currency code. */
  currencyCode?: string;
  /** The subscribed plan, with any further plan fields UserHub sends. */
  plan?: PlanSummary;
  /** The subscription's items, as UserHub sends them. */
  items?: Record<string, unknown>[];
  /** The subscription's seats, as UserHub sends them. */
  seats?: Record<string, unknown>[];
  /** Whether the subscription's renewal is canceled. */
  renewCanceled?: boolean;
  /** Whether the subscription cancels at the end of its period. */
  cancelPeriodEnd?: boolean;
  /** The subscription's anchor time. */
  anchorTime?: Date;
  /** When the subscription starts. */
  startTime?: Date;
  /** When the subscription ends. */
  endTime?: Date;
  /** The trial period, with any further trial fields UserHub sends. */
  trial?: Period;
  /** The subscription's current period. */
  currentPeriod?: Period;
  /** The organization the subscription belongs to. */
  organization?: Organization;
  /** The user the subscription belongs to. */
  user?: User;
  /** Whether this is the default subscription. */
  default?: boolean;
  /** Whether this is the `BASIC` or the `FULL` view of the subscription. */
  view: View;
  /** When the subscription was created. */
  createTime: Date;
  /** When the subscription was last updated. */
  updateTime: Date;
}

/** An invitation or sign-up flow. */
export interface Flow {
  /** The flow's id. */
  id: string;
  /** The flow's state. */
  state: string;
  /** The reason for the flow's current state. */
  stateReason?: string;
  /** For example `JOIN_ORGANIZATION` or `SIGNUP`. */
  type: string;
  /** The organization the flow concerns. */
  organization?: Organization;
  /** The user the flow concerns. */
  user?: User;
  /** The user who created the flow. */
  creator?: User;
  /** When the flow started. */
  startTime: Date;
  /** When the flow expires. */
  expireTime?: Date;
  /** The flow's time to live, as UserHub sends it. */
  ttl?: string;
  /** The flow's secret, as UserHub sends it. */
  secret?: string;
  /** The details of a `JOIN_ORGANIZATION` flow. */
  joinOrganization?: { displayName?: string; email?: string; role?: Role };
  /** The details of a `SIGNUP` flow. */
  signup?: { email?: string; displayName?: string; createOrganization?: boolean };
  /** Whether this is the `BASIC` or the `FULL` view of the flow. */
  view: View;
  /** When the flow was created. */
  createTime: Date;
  /** When the flow was last updated. */
  updateTime: Date;
}

/** A user of a custom user connection (`users.*` actions): one of the app's own users. */
export interface CustomUser extends
  Pick<
    Account,
    | "displayName"
    | "email"
    | "emailVerified"
    | "phoneNumber"
    | "phoneNumberVerified"
    | "imageUrl"
    | "disabled"
  > {
  /** The user's id in the app's own user store. */
  id: string;
}
