/**
 * {@linkcode Sampler}: UserHub objects that look real, built around one
 * moment, with fresh (or seeded) ids and RFC 3339 times around it.
 *
 * @module
 */

import { newId, seededIds } from "./_ids.ts";
import type {
  Account,
  AccountSubscription,
  Flow,
  Member,
  Organization,
  PlanSummary,
  Product,
  Role,
  Subscription,
  User,
} from "./models.ts";

/** A model as it travels in JSON: each `Date` is an RFC 3339 string. */
export type Wire<T> = T extends Date ? string
  : T extends readonly (infer U)[] ? Wire<U>[]
  : T extends object ? { [K in keyof T]: Wire<T[K]> }
  : T;

const DAY = 24 * 60 * 60 * 1000;

/** How a {@linkcode Sampler} makes its ids. */
export interface SamplerOptions {
  /** Makes the same ids on every run, for tests and benchmarks; fresh random ones without. */
  seed?: number;
}

/** Builds consistent sample objects around one moment, with fresh ids. */
export class Sampler {
  readonly #now: number;
  readonly #id: (prefix: string) => string;
  readonly #product: Wire<Product>;
  readonly #plan: Wire<PlanSummary>;

  /**
   * Builds the samples of one moment.
   * @param now The moment the samples are about: their times are around it.
   * @param options A seed, for the same ids on every run.
   */
  constructor(now: Date, options: SamplerOptions = {}) {
    this.#now = now.getTime();
    this.#id = options.seed === undefined ? newId : seededIds(options.seed);
    this.#product = { id: this.#id("prod"), uniqueId: "pro", displayName: "Pro" };
    this.#plan = { id: this.#id("pln"), displayName: "Pro (monthly)", product: this.#product };
  }

  /** RFC 3339 time, `days` before now (negative: after). */
  #ago(days: number): string {
    return new Date(this.#now - days * DAY).toISOString();
  }

  /** A full organization, with an address, a Stripe connection and a subscription. */
  organization(): Wire<Organization> {
    return {
      id: this.#id("org"),
      state: "ACTIVE",
      stateReason: "",
      uniqueId: "acme",
      displayName: "Acme, Inc.",
      email: "billing@acme.example",
      emailVerified: true,
      phoneNumber: "+14155550132",
      phoneNumberVerified: false,
      imageUrl: "https://acme.example/logo.png",
      currencyCode: "USD",
      languageCode: "en-US",
      regionCode: "US",
      timeZone: "America/Los_Angeles",
      address: {
        lines: ["548 Market St", "Suite 300"],
        city: "San Francisco",
        state: "CA",
        postalCode: "94104",
        country: "US",
      },
      accountConnections: [this.#stripeConnection()],
      subscription: this.#accountSubscription(),
      signupTime: this.#ago(412),
      memberCount: 3,
      disabled: false,
      view: "FULL",
      createTime: this.#ago(412),
      updateTime: this.#ago(0),
    };
  }

  /** A full user, with one membership. */
  user(): Wire<User> {
    return {
      id: this.#id("usr"),
      state: "ACTIVE",
      stateReason: "",
      uniqueId: "jane",
      displayName: "Jane Doe",
      email: "jane@acme.example",
      emailVerified: true,
      phoneNumber: "+14155550178",
      phoneNumberVerified: false,
      imageUrl: "https://acme.example/avatars/jane.png",
      currencyCode: "USD",
      languageCode: "en-US",
      regionCode: "US",
      timeZone: "America/Los_Angeles",
      address: {
        lines: ["1 Infinite Loop"],
        city: "Cupertino",
        state: "CA",
        postalCode: "95014",
        country: "US",
      },
      accountConnections: [this.#stripeConnection()],
      subscription: this.#accountSubscription(),
      signupTime: this.#ago(230),
      disabled: false,
      view: "FULL",
      createTime: this.#ago(230),
      updateTime: this.#ago(0),
      memberships: [{
        organization: this.#basicOrganization(),
        role: this.#role(),
        seat: { product: this.#product },
        createTime: this.#ago(229),
        updateTime: this.#ago(12),
      }],
    };
  }

  /** A member with the admin role, its user a `BASIC` view. */
  member(): Wire<Member> {
    return {
      state: "ACTIVE",
      user: this.#basicUser(),
      role: this.#role(),
      seat: { product: this.#product },
      view: "FULL",
      createTime: this.#ago(0),
      updateTime: this.#ago(0),
    };
  }

  /** An organization's subscription to the Pro plan, in its current period. */
  subscription(): Wire<Subscription> {
    const periodStart = this.#ago(10);
    const periodEnd = this.#ago(-20);
    return {
      id: this.#id("sub"),
      state: "ACTIVE",
      stateReason: "",
      externalId: `sub_${this.#id("").slice(0, 14)}`,
      currencyCode: "USD",
      plan: this.#plan,
      items: [{ price: { id: this.#id("prc") }, quantity: 3 }],
      seats: [{ product: this.#product, assignedCount: 2, totalCount: 3 }],
      renewCanceled: false,
      cancelPeriodEnd: false,
      anchorTime: this.#ago(40),
      startTime: this.#ago(54),
      endTime: periodEnd,
      trial: { startTime: this.#ago(54), endTime: this.#ago(40) },
      currentPeriod: { startTime: periodStart, endTime: periodEnd },
      organization: this.#basicOrganization(),
      default: true,
      view: "FULL",
      createTime: this.#ago(54),
      updateTime: this.#ago(0),
    };
  }

  /** A `JOIN_ORGANIZATION` flow that started now and expires in 7 days. */
  flow(): Wire<Flow> {
    const role = this.#role();
    return {
      id: this.#id("flw"),
      state: "START",
      stateReason: "",
      type: "JOIN_ORGANIZATION",
      organization: this.#basicOrganization(),
      user: this.#basicUser(),
      creator: { ...this.#basicUser(), displayName: "Sam Admin", email: "sam@acme.example" },
      startTime: this.#ago(0),
      expireTime: this.#ago(-7),
      ttl: "604800s",
      secret: this.#id("").slice(0, 16),
      joinOrganization: { displayName: "Jane Doe", email: "jane@acme.example", role },
      view: "FULL",
      createTime: this.#ago(0),
      updateTime: this.#ago(0),
    };
  }

  #basicOrganization(): Wire<Organization> {
    return basic(this.organization());
  }

  #basicUser(): Wire<User> {
    return basic(this.user());
  }

  #role(): Wire<Role> {
    return {
      id: this.#id("rol"),
      uniqueId: "admin",
      displayName: "Admin",
      type: "BUILT_IN",
      description: "Manages members, billing and settings",
      seatPolicy: "DEFAULT",
      permissionSets: ["billing.manage", "members.manage"],
      default: false,
      archived: false,
      view: "BASIC",
      createTime: this.#ago(900),
      updateTime: this.#ago(900),
    };
  }

  #accountSubscription(): Wire<AccountSubscription> {
    return { id: this.#id("sub"), state: "ACTIVE", anchorTime: this.#ago(40), plan: this.#plan };
  }

  #stripeConnection(): Record<string, unknown> {
    const customer = `cus_${this.#id("").slice(0, 14)}`;
    return {
      connection: {
        id: this.#id("conn"),
        uniqueId: "stripe",
        displayName: "Stripe",
        type: "STRIPE",
        state: "ACTIVE",
        createTime: this.#ago(640),
        updateTime: this.#ago(55),
      },
      externalId: customer,
      adminUrl: `https://dashboard.stripe.com/customers/${customer}`,
      state: "ACTIVE",
      balanceAmount: "0",
      currencyCode: "USD",
      createTime: this.#ago(412),
      updateTime: this.#ago(3),
    };
  }
}

/** The `BASIC` view of an organization or user, as UserHub nests them in other objects. */
function basic<T extends Wire<Account>>(full: T): T {
  const { id, state, uniqueId, displayName, email, imageUrl, disabled, createTime, updateTime } =
    full;
  const view = "BASIC";
  return {
    id,
    state,
    uniqueId,
    displayName,
    email,
    imageUrl,
    disabled,
    view,
    createTime,
    updateTime,
  } as T;
}
