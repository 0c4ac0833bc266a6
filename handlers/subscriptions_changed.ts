import { line, type TypedEventHandler } from "../userhub/mod.ts";

/** Runs when a subscription starts, renews, changes plan or ends. */
const subscriptionsChanged: TypedEventHandler<"subscriptions.changed"> = (event) => {
  const { subscription } = event.subscriptionsChanged;
  console.log(line` - Subscription: ${subscription.id} ${subscription.state}`);
};

export default subscriptionsChanged;
