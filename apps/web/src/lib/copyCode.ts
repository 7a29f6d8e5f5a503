/**
 * The Copy button of a code block in a message (the Markdown renderer writes it into the message's
 * HTML; this handles its clicks, delegated from the message text). Copies the block's text as it
 * was written, and says "Copied" on the button for a moment.
 */
export function copyCodeOnClick(event: MouseEvent): void {
  const button = (event.target as Element | null)?.closest?.("button.copy-code");
  if (!(button instanceof HTMLButtonElement)) return;
  // The block's text ends with the newline before its closing fence, which was not part of the code.
  const code = (button.parentElement?.querySelector("pre")?.textContent ?? "").replace(/\n$/, "");
  navigator.clipboard.writeText(code).then(
    () => acknowledge(button, "Copied", "Code copied"),
    () => acknowledge(button, "Copy failed", "The code could not be copied"),
  );
}

const SHOWN_MS = 2_000;

function acknowledge(button: HTMLButtonElement, text: string, label: string): void {
  button.textContent = text;
  button.setAttribute("aria-label", label);
  setTimeout(() => {
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code");
  }, SHOWN_MS);
}
