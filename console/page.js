// The delivery console's page: the stored calls from the first paint, new
// ones live, a call's details, delivering again, clearing and starting over.

const rows = document.getElementById("calls");
const detail = document.getElementById("detail");
const main = document.getElementById("main");
const live = document.getElementById("status");
const notice = document.getElementById("notice");
const empty = document.getElementById("empty");
const MAX_ROWS = 200;
/** Outcomes the page names otherwise. */
const LABELS = { unhandled: "no handler" };
/** A change needs this header, which a form cannot send. */
const CHANGE = { "x-console": "1" };
let selected;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.flat().filter((child) => child !== undefined && child !== null));
  return node;
}

/** The time a call came, from its id: its first digits are the milliseconds since 1970. */
function callTime(id) {
  return new Date(Number(id.split("-")[0])).toLocaleTimeString();
}

function label(outcome) {
  return LABELS[outcome] ?? outcome;
}

function againMark(call) {
  if (call.redeliveryOf === undefined) return null;
  const title = call.asNew
    ? "Delivered again from this console as a new event"
    : "Delivered again from this console";
  return el("span", { class: "again", title }, call.asNew ? "again, as new" : "again");
}

function row(call) {
  const open = () => openCall(call.id);
  const event = call.eventType
    ? el("span", {}, call.eventType, el("br"), el("span", { class: "mono muted" }, call.eventId))
    : "";
  return el(
    "tr",
    {
      tabindex: "0",
      "data-id": call.id,
      "aria-selected": String(call.id === selected),
      onclick: open,
      onkeydown: (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          open();
        }
      },
    },
    el("td", { class: "mono time" }, new Date(call.time).toLocaleTimeString()),
    el("td", { class: "mono" }, call.action ?? "—"),
    el("td", {}, event),
    el(
      "td",
      { class: "outcome-cell" },
      el("span", { class: `outcome ${call.outcome}` }, label(call.outcome)),
      againMark(call),
      call.reason ? el("span", { class: "reason" }, call.reason) : null,
    ),
    el("td", { class: "mono" }, String(call.status)),
    el("td", { class: "mono nowrap" }, `${call.durationMs.toFixed(1)} ms`),
  );
}

/** Shows the list as read from the server; rows that came live since it was read stay. */
function list(calls) {
  const newest = calls[0]?.id ?? "";
  const kept = [...rows.children].filter((tr) => tr.dataset.id > newest);
  rows.replaceChildren(...kept, ...calls.slice(0, MAX_ROWS - kept.length).map(row));
  empty.hidden = rows.children.length > 0;
}

/** Adds a call that came live, in its place by id (newest first), once. */
function place(call) {
  const present = [...rows.children];
  if (present.some((tr) => tr.dataset.id === call.id)) return;
  rows.insertBefore(row(call), present.find((tr) => tr.dataset.id < call.id) ?? null);
  while (rows.children.length > MAX_ROWS) rows.lastElementChild.remove();
  empty.hidden = true;
}

function forgetAll() {
  rows.replaceChildren();
  empty.hidden = false;
  closePanel();
}

function closePanel() {
  main.classList.add("closed");
  selected = undefined;
  for (const tr of rows.children) tr.setAttribute("aria-selected", "false");
}

async function refresh() {
  const response = await fetch("/_console/calls").catch(() => undefined);
  if (response?.ok) list(await response.json());
}

function pretty(text, cut) {
  if (cut) return text;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Opens a call's details beside the list, with `note` under its buttons. */
async function openCall(id, note = "") {
  selected = id;
  for (const tr of rows.children) {
    tr.setAttribute("aria-selected", String(tr.dataset.id === id));
    if (tr.dataset.id === id) tr.scrollIntoView({ block: "nearest" });
  }
  const response = await fetch(`/_console/calls/${id}`);
  if (selected !== id) return;
  main.classList.remove("closed");
  if (!response.ok) {
    detail.replaceChildren(el("p", { class: "muted" }, "This call is not kept any more."));
    return;
  }
  detail.replaceChildren(...panel(await response.json(), note));
}

function panel(call, note) {
  const isEvent = (call.action ?? "events.handle") === "events.handle";
  return [
    el("h2", {}, `${call.action ?? "unknown action"} → ${call.status}`, againMark(call)),
    el(
      "div",
      { class: "actions" },
      call.verified
        ? el("button", {
          type: "button",
          class: "primary",
          id: "again",
          onclick: () => deliver(call.id, false),
        }, "Deliver again")
        : el("span", { class: "muted" }, "Not verified: it cannot be delivered again."),
      call.verified && isEvent
        ? el(
          "button",
          { type: "button", id: "again-new", onclick: () => deliver(call.id, true) },
          "Deliver as a new event",
        )
        : null,
      el("button", { type: "button", onclick: closePanel }, "Close"),
    ),
    el("p", { class: "notice", id: "delivery", role: "status" }, note),
    el(
      "dl",
      {},
      el("dt", {}, "Outcome"),
      el("dd", { class: `outcome ${call.outcome}` }, label(call.outcome)),
      call.reason ? [el("dt", {}, "Reason"), el("dd", { id: "reason" }, call.reason)] : null,
      call.redeliveryOf
        ? [
          el("dt", {}, "Delivered again"),
          el(
            "dd",
            {},
            el(
              "a",
              {
                href: "#",
                onclick: (e) => (e.preventDefault(), openCall(call.redeliveryOf)),
              },
              `${call.asNew ? "as a new event, from" : "from"} the call of ${
                callTime(call.redeliveryOf)
              }`,
            ),
          ),
        ]
        : null,
      el("dt", {}, "Received"),
      el("dd", {}, new Date(call.time).toLocaleString()),
      el("dt", {}, "Duration"),
      el("dd", {}, `${call.durationMs.toFixed(1)} ms`),
    ),
    // What went wrong comes before the body, which may be long.
    call.error
      ? [el("h3", {}, "Error"), el("pre", { class: "mono", id: "error" }, call.error)]
      : null,
    el("h3", {}, "Logged while it ran"),
    el("pre", { class: "mono", id: "logs" }, call.logs.length ? call.logs.join("\n") : "(nothing)"),
    el("h3", {}, `Body (${call.bodyBytes} bytes)`),
    el("pre", { class: "mono", id: "body" }, pretty(call.body, call.bodyCut)),
    call.bodyCut
      ? el(
        "p",
        { class: "muted" },
        call.verified ? "Cut at 64 KiB: the rest is kept, and delivered again." : "Cut at 64 KiB.",
      )
      : null,
    el("h3", {}, "Request headers"),
    el(
      "pre",
      { class: "mono" },
      call.headers.map(([name, value]) => `${name}: ${value}`).join("\n"),
    ),
    el("h3", {}, "Answer"),
    el("pre", { class: "mono" }, pretty(call.answer, false)),
  ].flat().filter(Boolean);
}

/** Delivers a call again, then opens the call delivered (its row is marked "again"). */
async function deliver(id, asNew) {
  const buttons = detail.querySelectorAll(".actions button");
  for (const button of buttons) button.disabled = true;
  const url = `/_console/calls/${id}/deliver${asNew ? "?as=new" : ""}`;
  const response = await fetch(url, { method: "POST", headers: CHANGE });
  const answer = await response.json();
  const again = response.headers.get("x-console-call");
  if (response.ok && again) {
    const how = asNew ? "Delivered again as a new event" : "Delivered again";
    await openCall(again, `${how}: the receiver answered ${answer.status}.`);
    return;
  }
  for (const button of buttons) button.disabled = false;
  const shown = document.getElementById("delivery");
  shown.textContent = answer.message ?? `Not delivered: ${response.status}`;
  shown.classList.add("bad");
}

function counted(count, what) {
  return `${count} ${what}${count === 1 ? "" : "s"}`;
}

document.getElementById("clear").addEventListener("click", async () => {
  await fetch("/_console/calls", { method: "DELETE", headers: CHANGE });
  notice.textContent = "";
});

document.getElementById("start-over").addEventListener("click", async () => {
  const sure = confirm(
    "Start over? This server's Deno KV forgets the calls listed here, the duplicate " +
      "check's records and the example directory's users.",
  );
  if (!sure) return;
  const response = await fetch("/_console/reset", { method: "POST", headers: CHANGE });
  const answer = await response.json();
  notice.textContent = response.ok
    ? `Started over: forgot ${counted(answer.calls, "call")}, ${
      counted(answer.duplicateRecords, "duplicate-check record")
    } and ${counted(answer.exampleUsers, "example user")}.`
    : answer.message;
});

list(JSON.parse(document.getElementById("stored-calls").textContent));

const events = new EventSource("/_console/events");
events.addEventListener("open", () => {
  live.textContent = "Live";
  // Calls may have come between the page and its connection, or while it was down.
  refresh();
});
events.addEventListener("error", () => {
  live.textContent = "Reconnecting…";
});
events.addEventListener("call", (event) => place(JSON.parse(event.data)));
events.addEventListener("clear", forgetAll);
