import { rememberedDeviceUser } from "./deviceUser";
import { openDeviceDatabase } from "./sync/deviceDatabase";

/**
 * Imported first by main.tsx: when this device remembers who was signed in, start opening their
 * device database now, while the rest of the app is still being evaluated (cold start from the device).
 */
const remembered = rememberedDeviceUser();
if (remembered) openDeviceDatabase(remembered.id).catch(() => undefined);
