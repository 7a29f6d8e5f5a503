/** `role=status` "Typing": "bob is typing…", "bob and carol are typing…", "Several people are typing…". */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

export function TypingIndicator(props: { names: readonly string[] }) {
  // Always in the page (empty when nobody types) so screen readers announce changes as they happen.
  return (
    <div class="typing" role="status" aria-label="Typing">
      {typingText(props.names)}
    </div>
  );
}
