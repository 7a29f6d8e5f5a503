import { Show } from "solid-js";
import { useWorkspace } from "../state/workspace";

/**
 * `/`: nothing open yet. Only words here: the rooms are linked from the left nav alone, so each room
 * has exactly one link on the page.
 */
export function Home() {
  const workspace = useWorkspace();
  return (
    <section class="home" aria-labelledby="home-title">
      <div class="home-card">
        <span class="brand-mark large" aria-hidden="true" />
        <h1 id="home-title">Welcome, {workspace.me.username}</h1>
        <Show
          when={workspace.navRooms().length > 0}
          fallback={<p>There are no rooms yet. Start the first one with “New room” (the + next to Rooms).</p>}
        >
          <p>
            Pick a room or a person from the navigation to start talking, or start a new room with the + next
            to Rooms.
          </p>
        </Show>
      </div>
    </section>
  );
}
