import { typingText } from "../state/presence";

/** `role=status` "Typing": who else is typing in this room, empty when nobody is. */
export function TypingIndicator(props: { names: readonly string[] }) {
  // Always in the page (empty when nobody types) so screen readers announce changes as they happen.
  return (
    <div class="typing" role="status" aria-label="Typing">
      {typingText(props.names)}
    </div>
  );
}
