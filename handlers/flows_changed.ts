import { line, type TypedEventHandler } from "../userhub/mod.ts";

/** Runs when an invitation or sign-up flow starts, completes or expires. */
const flowsChanged: TypedEventHandler<"flows.changed"> = (event) => {
  const { flow } = event.flowsChanged;
  console.log(line` - Flow: ${flow.id} ${flow.type} ${flow.state}`);
};

export default flowsChanged;
