import { createSignal, onMount, Show } from "solid-js";
import { currentPushSubscription, pushSupported, turnOffPush, turnOnPush } from "../device/pushSubscription";
import "./push.css";

/**
 * Settings → Notifications: the switch "Push notifications on this device". On, this device gets a
 * push for a DM, a mention or (per the room's level) a message while none of the person's devices
 * has the app in view, even with the app closed. The browser asks for permission only when it is
 * turned on. It is per device: each browser has its own subscription.
 */
export function PushSwitch() {
  const supported = pushSupported();
  const [on, setOn] = createSignal(false);
  const [busy, setBusy] = createSignal(supported);
  const [problem, setProblem] = createSignal<string | null>(null);

  onMount(() => {
    if (!supported) return;
    void currentPushSubscription()
      .then((subscription) => setOn(subscription !== null))
      .catch(() => setOn(false))
      .finally(() => setBusy(false));
  });

  const toggle = async () => {
    if (busy() || !supported) return;
    setProblem(null);
    setBusy(true);
    try {
      if (on()) {
        await turnOffPush();
        setOn(false);
      } else {
        await turnOnPush();
        setOn(true);
      }
    } catch (failure) {
      setProblem((failure as Error).message || "Push notifications could not be turned on.");
      setOn((await currentPushSubscription().catch(() => null)) !== null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="push-switch-field">
      <button
        type="button"
        role="switch"
        class="push-switch"
        aria-checked={on()}
        aria-describedby="push-switch-hint"
        aria-busy={busy()}
        disabled={!supported}
        onClick={toggle}
      >
        <span class="push-switch-track" aria-hidden="true">
          <span class="push-switch-thumb" />
        </span>
        <span class="push-switch-label">Push notifications on this device</span>
      </button>
      <p id="push-switch-hint" class="field-hint">
        {supported
          ? "Direct messages, mentions and rooms set to All messages, while Chat is not open in front of you on any device."
          : "This browser cannot receive push notifications (on an iPhone or iPad, add Chat to the Home Screen first)."}
      </p>
      <Show when={problem()}>
        <p class="form-error" role="alert">
          {problem()}
        </p>
      </Show>
    </div>
  );
}
