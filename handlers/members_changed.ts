import { line, type TypedEventHandler } from "../userhub/mod.ts";

/** Runs when a member joins, leaves or changes role in an organization. */
const membersChanged: TypedEventHandler<"members.changed"> = (event) => {
  const { organization, member } = event.membersChanged;
  const { user, role } = member;
  console.log(
    line` - Member: ${organization.id} ${user.id} ${user.displayName} (${role.displayName})`,
  );
};

export default membersChanged;
