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
  lines?: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
}

/** The product a plan belongs to. */
export interface Product {
  id: string;
  uniqueId?: string;
  displayName: string;
}

/** A plan summary as embedded in subscriptions. */
export interface PlanSummary {
  id: string;
  displayName: string;
  product?: Product;
}

/** The subscription summary embedded in an organization or user. */
export interface AccountSubscription {
  id: string;
  state: string;
  anchorTime?: Date;
  plan?: PlanSummary;
}

/** Fields shared by organizations and users. */
export interface Account {
  id: string;
  /** For example `ACTIVE`. */
  state: string;
  stateReason?: string;
  uniqueId?: string;
  displayName?: string;
  email?: string;
  emailVerified?: boolean;
  /** E.164. */
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
  imageUrl?: string;
  /** ISO-4217. */
  currencyCode?: string;
  /** BCP-47. */
  languageCode?: string;
  regionCode?: string;
  /** IANA time zone. */
  timeZone?: string;
  address?: Address;
  accountConnections?: Record<string, unknown>[];
  subscription?: AccountSubscription;
  signupTime?: Date;
  disabled?: boolean;
  view: View;
  createTime: Date;
  updateTime: Date;
}

/** A UserHub organization. */
export interface Organization extends Account {
  memberCount?: number;
}

/** A user's membership in an organization. */
export interface Membership {
  organization?: Organization;
  role?: Role;
  seat?: Record<string, unknown>;
  createTime?: Date;
  updateTime?: Date;
}

/** A UserHub user. */
export interface User extends Account {
  memberships?: Membership[];
}

/** A role a member holds in an organization. */
export interface Role {
  id: string;
  uniqueId: string;
  displayName: string;
  type: string;
  description?: string;
  seatPolicy?: string;
  /** The ids of the permission sets the role grants. */
  permissionSets: string[];
  default?: boolean;
  archived?: boolean;
  view: View;
  createTime: Date;
  updateTime: Date;
}

/** A user's membership as seen from the organization. */
export interface Member {
  state: string;
  user: User;
  role: Role;
  seat?: Record<string, unknown>;
  view: View;
  createTime: Date;
  updateTime: Date;
}

/** A start and end time. */
export interface Period {
  startTime?: Date;
  endTime?: Date;
}

/** A billing subscription. */
export interface Subscription {
  id: string;
  state: string;
  stateReason?: string;
  externalId?: string;
  currencyCode?: string;
  plan?: PlanSummary & Record<string, unknown>;
  items?: Record<string, unknown>[];
  seats?: Record<string, unknown>[];
  renewCanceled?: boolean;
  cancelPeriodEnd?: boolean;
  anchorTime?: Date;
  startTime?: Date;
  endTime?: Date;
  trial?: Period & Record<string, unknown>;
  currentPeriod?: Period;
  organization?: Organization;
  user?: User;
  default?: boolean;
  view: View;
  createTime: Date;
  updateTime: Date;
}

/** An invitation or sign-up flow. */
export interface Flow {
  id: string;
  state: string;
  stateReason?: string;
  /** For example `JOIN_ORGANIZATION` or `SIGNUP`. */
  type: string;
  organization?: Organization;
  user?: User;
  creator?: User;
  startTime: Date;
  expireTime?: Date;
  ttl?: string;
  secret?: string;
  joinOrganization?: { displayName?: string; email?: string; role?: Role };
  signup?: { email?: string; displayName?: string; createOrganization?: boolean };
  view: View;
  createTime: Date;
  updateTime: Date;
}

/** A user of a custom user connection (`users.*` actions). */
export interface CustomUser {
  id: string;
  displayName?: string;
  email?: string;
  emailVerified?: boolean;
  phoneNumber?: string;
  phoneNumberVerified?: boolean;
  imageUrl?: string;
  disabled?: boolean;
}
