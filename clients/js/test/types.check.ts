// Compile-time checks of the SDK's types (`npm run typecheck`; tests/unit/web runs it): what an
// app writes against the generated channel types compiles, and each `@ts-expect-error` line
// must fail to compile (tsc reports an unused one), so a type that became `any` is caught.
import { EdtechClient, type Api, type EventFrame, type PresenceData } from "../src/edtech.js";

const client = new EdtechClient({ baseUrl: "http://127.0.0.1:8000" });
const board = client.realtime.subscribe<"attendance.session.{id}">("attendance.session.1");

board.on("event", (frame) => {
  if (frame.type === "attendance.scan_recorded") {
    const student: string = frame.data.student_id;
    void student;
  }
  // @ts-expect-error: not an event type of attendance.session.{id}
  if (frame.type === "chat.message_posted") return;
});
board.on("reload", (data) => void (data.offset + 1));
// @ts-expect-error: no such subscription event
board.on("scan", () => undefined);

const chat = client.realtime.subscribe<"chat.conversation.{id}">("chat.conversation.1");
chat.on("signal", (signal) => {
  const who: string = signal.data.person_id;
  const kind: "typing" = signal.type;
  void [who, kind];
});
chat.on("presence", (diff) => diff.joins.map((m) => m.name.toUpperCase()));
void client.realtime.typing("chat.conversation.1");
void client.realtime.presence("chat.conversation.1").then((p: PresenceData) => {
  const n: number = p.count;
  // @ts-expect-error: count is a number
  p.count.toUpperCase();
  return (p.members ?? []).map((m) => m.person_id).concat(String(n));
});
// @ts-expect-error: send takes an object
void client.realtime.send("chat.conversation.1", "hello");

const frame = {} as EventFrame<"user.{id}">;
if (frame.type === "grades.published") {
  // @ts-expect-error: a grades.published event has no student_id on its data of this name
  void frame.data.no_such_field;
}
client.realtime.onState(({ state, resumed }) => {
  // @ts-expect-error: not a connection state
  if (state === "offline") return;
  void resumed;
});

// REST types generated from the OpenAPI document.
async function rest(): Promise<void> {
  const board = await client.get<Api.Responses["GET /api/v1/attendance/sessions/{session_id}/board"]>("/x");
  const offset: number = board.channel.offset;
  const name: string | null | undefined = board.marks[0]?.name;
  void [offset, name];
  // @ts-expect-error: a board has no such field
  void board.no_such_field;
  const me: Api.MeOut = await client.get<Api.Responses["GET /api/v1/me"]>("/api/v1/me");
  void me;
  const acked: Api.Responses["POST /api/v1/announcements/{announcement_id}/acknowledge"] = null;
  void acked;
}
void rest;
