/**
 * The handler of each event type. To handle a new type, add a file beside
 * this one and a line below: the compiler checks that the handler takes that
 * type's event.
 *
 * @module
 */

import type { EventHandlers } from "../userhub/mod.ts";
import flowsChanged from "./flows_changed.ts";
import membersChanged from "./members_changed.ts";
import organizationsChanged from "./organizations_changed.ts";
import subscriptionsChanged from "./subscriptions_changed.ts";
import usersChanged from "./users_changed.ts";

/** Event type → handler. */
export const handlers: EventHandlers = {
  "organizations.changed": organizationsChanged,
  "users.changed": usersChanged,
  "members.changed": membersChanged,
  "subscriptions.changed": subscriptionsChanged,
  "flows.changed": flowsChanged,
};
