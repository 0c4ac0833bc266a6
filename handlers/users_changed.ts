import { line, type TypedEventHandler } from "../userhub/mod.ts";

/** Runs when a user is created, changed or deleted. */
const usersChanged: TypedEventHandler<"users.changed"> = (event) => {
  const { user } = event.usersChanged;
  console.log(line` - User: ${user.id} ${user.displayName}`);
};

export default usersChanged;
