import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A push service on this machine for tests: it takes the pushes the server posts, checks the VAPID
 * signature (RFC 8292) and decrypts the payload (RFC 8291, aes128gcm) with keys the test generated,
 * as a browser's push service and the browser would. What it answers can be set per device (410 for
 * a subscription that is gone, 503 a few times to make the server retry, or no answer at all).
 */
export interface ReceivedPush {
  device: string;
  ttl: number;
  urgency: string | undefined;
  /** The VAPID public key the signature was checked against (`k=`). */
  vapidKey: string;
  /** The JWT's claims, once its ES256 signature was verified. */
  claims: { aud: string; exp: number; sub: string };
  payload: unknown;
  at: number;
}

/** A device's subscription and the secrets only its browser would hold. */
export interface TestSubscription {
  device: string;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  privateKey: Buffer;
}

type Answer = number | "hang";

export class LocalPushService {
  /** Pushes taken (answered 2xx), decrypted. */
  readonly received: ReceivedPush[] = [];
  /** Every post, whatever it was answered, by device. */
  readonly attempts = new Map<string, number>();
  /** Requests refused before decryption (bad signature, bad encryption), with why. */
  readonly rejected: Array<{ device: string; why: string }> = [];
  private readonly devices = new Map<string, TestSubscription>();
  private readonly answers = new Map<string, Answer[]>();
  private readonly hanging = new Set<IncomingMessage>();
  private server: Server | null = null;
  private origin = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const device = (request.url ?? "").replace(/^\/push\//, "");
        const answer = this.answers.get(device)?.shift() ?? 201;
        this.attempts.set(device, (this.attempts.get(device) ?? 0) + 1);
        if (answer === "hang") {
          this.hanging.add(request);
          return;
        }
        try {
          const push = this.receive(device, request, Buffer.concat(chunks));
          if (answer >= 200 && answer < 300) this.received.push(push);
        } catch (error) {
          this.rejected.push({ device, why: String(error) });
          response.writeHead(400).end();
          return;
        }
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new device: its keys (as a browser makes them) and its endpoint here. */
  subscribe(): TestSubscription {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const device = randomBytes(8).toString("hex");
    const subscription: TestSubscription = {
      device,
      subscription: {
        endpoint: `${this.origin}/push/${device}`,
        keys: {
          p256dh: ecdh.getPublicKey().toString("base64url"),
          auth: randomBytes(16).toString("base64url"),
        },
      },
      privateKey: ecdh.getPrivateKey(),
    };
    this.devices.set(device, subscription);
    return subscription;
  }

  /** The next pushes to `device` get these answers, in order (then 201). */
  answer(device: string, ...answers: Answer[]): void {
    this.answers.set(device, answers);
  }

  /** Pushes `device` received (decrypted). */
  to(device: string): ReceivedPush[] {
    return this.received.filter((push) => push.device === device);
  }

  async close(): Promise<void> {
    for (const request of this.hanging) request.socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private receive(device: string, request: IncomingMessage, body: Buffer): ReceivedPush {
    const known = this.devices.get(device);
    if (!known) throw new Error("no such subscription");
    if (request.headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
    const ttl = request.headers.ttl;
    if (typeof ttl !== "string" || !/^\d+$/.test(ttl)) throw new Error("no TTL header");
    const { claims, key } = verifyVapid(request.headers.authorization, this.origin);
    return {
      device,
      ttl: Number(ttl),
      urgency: request.headers.urgency as string | undefined,
      vapidKey: key,
      claims,
      payload: JSON.parse(decryptAes128gcm(body, known).toString("utf8")),
      at: Date.now(),
    };
  }
}

/** RFC 8292: `Authorization: vapid t=<JWT>, k=<public key>`, the JWT signed ES256 with that key. */
function verifyVapid(
  header: string | undefined,
  audience: string,
): { claims: ReceivedPush["claims"]; key: string } {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match) throw new Error(`no VAPID authorization: ${header}`);
  const [jwt, k] = [match[1]!, match[2]!];
  const [head, body, signature] = jwt.split(".");
  if (!head || !body || !signature) throw new Error("not a JWT");
  const raw = Buffer.from(k, "base64url");
  if (raw.length !== 65 || raw[0] !== 4) throw new Error("k is not an uncompressed P-256 key");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const header0 = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
  if (header0.alg !== "ES256") throw new Error(`JWT alg ${header0.alg}`);
  const valid = verify(
    "sha256",
    Buffer.from(`${head}.${body}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!valid) throw new Error("the VAPID signature does not verify");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  if (claims.aud !== audience) throw new Error(`JWT aud ${claims.aud}, expected ${audience}`);
  const now = Date.now() / 1000;
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`JWT exp ${claims.exp}`);
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`JWT sub ${claims.sub}`);
  return { claims, key: k };
}

/**
 * RFC 8291 with RFC 8188's aes128gcm: the header (salt, record size, the sender's public key), then
 * one record, keyed from ECDH with the device's key and its auth secret.
 */
function decryptAes128gcm(body: Buffer, device: TestSubscription): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`key id of ${idLength} bytes`);
  if (record.length > recordSize) throw new Error("more than one record");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(device.privateKey);
  const receiverKey = ecdh.getPublicKey();
  const shared = ecdh.computeSecret(senderKey);
  const auth = Buffer.from(device.subscription.keys.auth, "base64url");
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), receiverKey, senderKey]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then any padding of zeros.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("no last-record delimiter");
  return padded.subarray(0, end);
}
