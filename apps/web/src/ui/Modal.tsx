import { type JSX, onMount } from "solid-js";

/**
 * The one modal dialog every dialog of the app is made of: a native <dialog> shown with `showModal`
 * (focus kept inside, the page behind inert), closed by Escape, by a click on the backdrop outside
 * its card, or by `close()` on the element (which `ref` hands out); then `onClose` runs, and the owner
 * unmounts it. Its accessible name comes from `labelledBy` (the id of its heading) or `label`.
 */
export function Modal(props: {
  ref?: HTMLDialogElement | ((dialog: HTMLDialogElement) => void);
  /** Classes beside `dialog`. */
  class?: string;
  labelledBy?: string;
  label?: string;
  /** What takes the focus once it is open; by default the browser's choice (its first focusable element). */
  focus?: (dialog: HTMLDialogElement) => HTMLElement | null | undefined;
  onClose: () => void;
  children: JSX.Element;
}) {
  let dialog!: HTMLDialogElement;

  onMount(() => {
    // A click on the backdrop (outside the card) closes it, like Escape and the dialog's own buttons.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    dialog.showModal();
    props.focus?.(dialog)?.focus();
  });

  return (
    <dialog
      ref={(element) => {
        dialog = element;
        // Solid hands a component's `ref` over as a function that assigns the caller's variable.
        (props.ref as ((dialog: HTMLDialogElement) => void) | undefined)?.(element);
      }}
      class={props.class ? `dialog ${props.class}` : "dialog"}
      aria-labelledby={props.labelledBy}
      aria-label={props.label}
      onClose={() => props.onClose()}
    >
      {props.children}
    </dialog>
  );
}
