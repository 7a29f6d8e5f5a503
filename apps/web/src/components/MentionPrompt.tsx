import { RoomDialog } from "./RoomDialog";

/**
 * Asked before a message that mentions people who are not in a private room goes out: a mention does
 * not bring anyone into a private room by itself (they would see its whole history), so the person
 * chooses: "Add" (through the API, then the message is sent) or "Send without adding". Cancel, Escape
 * or a click outside sends nothing and gives the text back to the composer (`onClose`).
 */
export function MentionPrompt(props: {
  usernames: readonly string[];
  onAdd: () => Promise<void>;
  onSendWithoutAdding: () => Promise<void>;
  onClose: () => void;
}) {
  const names = () => joinNames(props.usernames);
  const verb = () => (props.usernames.length === 1 ? "is" : "are");
  return (
    <RoomDialog
      title="Add to this private room?"
      intro={`${names()} ${verb()} not in this private room. Add them? They will see its history.`}
      submitLabel="Add"
      onSubmit={props.onAdd}
      onClose={props.onClose}
      extraActions={(run) => (
        <button type="button" class="button ghost" onClick={() => run(props.onSendWithoutAdding)}>
          Send without adding
        </button>
      )}
    >
      {null}
    </RoomDialog>
  );
}

/** "carol", "carol and dave", "carol, dave and erin". */
function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
