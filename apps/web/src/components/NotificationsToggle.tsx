import { createSignal, Show } from "solid-js";
import { NOTIFICATIONS_KEY, watchForNotifications } from "../sync/notifier";
import { useWorkspace } from "../sync/workspace";

/**
 * "Turn on notifications": the browser asks for permission only when the person presses it (never on
 * load). The choice is kept per device, since permission is per browser.
 */
export function NotificationsToggle() {
  const workspace = useWorkspace();
  const supported = typeof Notification !== "undefined";
  const granted = () => supported && Notification.permission === "granted";
  const [enabled, setEnabled] = createSignal(granted() && localStorage.getItem(NOTIFICATIONS_KEY) === "on");
  const [problem, setProblem] = createSignal<string | null>(null);
  watchForNotifications(workspace, enabled);

  const toggle = async () => {
    setProblem(null);
    if (enabled()) {
      setEnabled(false);
      localStorage.setItem(NOTIFICATIONS_KEY, "off");
      return;
    }
    const permission = granted() ? "granted" : await Notification.requestPermission();
    if (permission !== "granted") {
      setProblem("Notifications are blocked for this site. Allow them in the browser's site settings.");
      return;
    }
    setEnabled(true);
    localStorage.setItem(NOTIFICATIONS_KEY, "on");
  };

  return (
    <Show when={supported}>
      <button type="button" class="button ghost small notify-toggle" onClick={toggle}>
        {enabled() ? "Turn off notifications" : "Turn on notifications"}
      </button>
      <Show when={problem()}>
        <p class="sidebar-note" role="alert">
          {problem()}
        </p>
      </Show>
    </Show>
  );
}
