import { line, type TypedEventHandler } from "../userhub/mod.ts";

/** Runs when an organization is created, changed or deleted. */
const organizationsChanged: TypedEventHandler<"organizations.changed"> = (event) => {
  const { organization } = event.organizationsChanged;
  console.log(line` - Organization: ${organization.id} ${organization.displayName}`);
};

export default organizationsChanged;
