import { rememberedDeviceUser } from "./deviceUser";
import { matchRoute } from "./router";
import { prefetchFirstScreen } from "./sync/firstScreenRows";

/**
 * Imported first by main.tsx: when this device remembers who was signed in, start opening their
 * device database now, while the rest of the app is still being evaluated (cold start from the
 * device), and read what the first screen shows in the same breath (sync/firstScreenRows.ts).
 */
const remembered = rememberedDeviceUser();
if (remembered) {
  const route = matchRoute(location.pathname);
  prefetchFirstScreen(remembered.id, route.name === "room" ? route.roomId : null);
}
