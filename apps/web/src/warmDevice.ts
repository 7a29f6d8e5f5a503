import { rememberedDeviceUser } from "./device/deviceUser";
import { prefetchFirstScreen } from "./device/firstScreenRows";
import { hasTail } from "./device/tailKey";
import { matchRoute } from "./lib/routes";

/**
 * When this device remembers who was signed in, start opening their device database now, while the
 * rest of the app is still being loaded (cold start from the device), and read what the first screen
 * shows in the same breath (device/firstScreenRows.ts).
 *
 * In a build this is an entry of its own, a few kilobytes that index.html runs before the app's main
 * chunk (vite.config.ts): it starts IndexedDB ~50 ms earlier than waiting for the main chunk (240 kB)
 * to be compiled. main.tsx imports it too (the same module, evaluated once; in dev the only way in), so
 * it must stay free of Solid, Yjs and the model: only tiny modules may come in with it.
 * It also warms up the browser's locale data while the main chunk loads (below).
 */
const remembered = rememberedDeviceUser();
if (remembered) {
  const route = matchRoute(location.pathname);
  const roomId = route.name === "room" ? route.roomId : null;
  // A room with cached latest messages shows those first: its documents are applied after that render.
  prefetchFirstScreen(remembered.id, roomId, {
    roomAtOnce: roomId !== null && !hasTail(remembered.id, roomId),
  });
  // The first use of the browser's locale data (ICU) in a fresh renderer costs 15-35 ms here (a few ms
  // when the process has used it before), and the first screen needs it (message times, the nav's name
  // order). Paid now, while IndexedDB reads and the main chunk loads, it no longer stands in the main
  // chunk's evaluation: the formatters made there then take ~0.2 ms each.
  new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(0);
  "a".localeCompare("b", undefined, { sensitivity: "base" });
}
