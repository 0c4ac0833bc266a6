import type { TypedEventHandler } from "../userhub/mod.ts";

/** Runs when a member joins, leaves or changes role in an organization. */
const membersChanged: TypedEventHandler<"members.changed"> = (event) => {
  const { organization, member } = event.membersChanged;
  console.log(
    ` - Member: ${organization.id} ${member.user.id} ${
      member.user.displayName ?? ""
    } (${member.role.displayName})`,
  );
};

export default membersChanged;
