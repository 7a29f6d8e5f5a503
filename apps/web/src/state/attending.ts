import { type Accessor, createSignal, onCleanup } from "solid-js";

/** The person is looking at this tab: it is visible and the window has focus. */
function attending(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

/**
 * Whether the person looks at the page now, as a signal (focus, blur and visibility changes): what
 * is on screen counts as read only then (a room's messages, a thread's replies).
 */
export function useAttending(): Accessor<boolean> {
  const [looking, setLooking] = createSignal(attending());
  const update = () => setLooking(attending());
  window.addEventListener("focus", update);
  window.addEventListener("blur", update);
  document.addEventListener("visibilitychange", update);
  onCleanup(() => {
    window.removeEventListener("focus", update);
    window.removeEventListener("blur", update);
    document.removeEventListener("visibilitychange", update);
  });
  return looking;
}
