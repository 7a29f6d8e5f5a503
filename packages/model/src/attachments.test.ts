import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  type Attachment,
  attachmentsProblem,
  fileNameProblem,
  formatFileSize,
  isAttachment,
  isAttachmentId,
  isInlineImage,
  MAX_ATTACHMENTS_PER_MESSAGE,
  newAttachmentId,
} from "./attachments.ts";
import { deleteMessage, EditRejected, editMessage, isMessageEdit } from "./edits.ts";
import { appendMessage, createMessage, isMessageRecord, listMessages, MessageRejected } from "./messages.ts";

const photo: Attachment = {
  id: "a000000000000001",
  name: "cat.png",
  size: 2048,
  type: "image/png",
  width: 640,
  height: 480,
};
const report: Attachment = {
  id: "a000000000000002",
  name: "report.pdf",
  size: 90_000,
  type: "application/pdf",
};

describe("attachments", () => {
  it("accepts ordinary file names and explains each refused one", () => {
    expect(fileNameProblem("Quarterly report (final) – v2.pdf")).toBeNull();
    expect(fileNameProblem("写真.jpg")).toBeNull();
    expect(fileNameProblem("")).toMatch(/needs a name/);
    expect(fileNameProblem("   ")).toMatch(/needs a name/);
    expect(fileNameProblem("x".repeat(1000))).toMatch(/at most 255 characters \(this one has 1,000\)/);
    expect(fileNameProblem("x".repeat(255))).toBeNull();
    expect(fileNameProblem("../etc/passwd")).toMatch(/cannot contain \/ or \\/);
    expect(fileNameProblem("C:\\temp\\a.txt")).toMatch(/cannot contain/);
    expect(fileNameProblem("bell\u0007.txt")).toMatch(/control characters/);
    expect(fileNameProblem("line\nbreak.txt")).toMatch(/control characters/);
    expect(fileNameProblem("..")).not.toBeNull();
  });

  it("makes ids of the usual shape", () => {
    const id = newAttachmentId();
    expect(isAttachmentId(id)).toBe(true);
    expect(isAttachmentId("../../x")).toBe(false);
  });

  it("shows a raster image with dimensions inline, anything else as a download", () => {
    expect(isInlineImage(photo)).toBe(true);
    expect(isInlineImage(report)).toBe(false);
    expect(isInlineImage({ ...photo, type: "image/svg+xml" })).toBe(false);
    const { width: _w, height: _h, ...noSize } = photo;
    expect(isInlineImage(noSize)).toBe(false);
  });

  it("formats sizes for people", () => {
    expect(formatFileSize(0)).toBe("0 B");
    expect(formatFileSize(999)).toBe("999 B");
    expect(formatFileSize(1536)).toBe("1.5 KB");
    expect(formatFileSize(25 * 1024 * 1024)).toBe("25 MB");
    expect(formatFileSize(1.25 * 1024 ** 3)).toBe("1.3 GB");
  });

  it("checks the shape of an untrusted attachment and list", () => {
    expect(isAttachment(photo)).toBe(true);
    expect(isAttachment(report)).toBe(true);
    expect(isAttachment({ ...report, extra: 1 })).toBe(false);
    expect(isAttachment({ ...report, width: 3 })).toBe(false);
    expect(isAttachment({ ...report, size: 0 })).toBe(false);
    expect(isAttachment({ ...report, name: "a/b" })).toBe(false);
    expect(isAttachment({ ...report, id: "short" })).toBe(false);
    expect(attachmentsProblem([photo, report])).toBeNull();
    expect(attachmentsProblem([])).not.toBeNull();
    expect(attachmentsProblem([photo, photo])).toMatch(/once/);
    const many = Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 1 }, (_, i) => ({
      ...report,
      id: `a${String(i).padStart(15, "0")}`,
    }));
    expect(attachmentsProblem(many)).toMatch(/at most 10 files/);
  });
});

describe("messages with attachments", () => {
  it("may have empty text when they carry a file, never otherwise", () => {
    expect(() => createMessage("u", " ")).toThrow(MessageRejected);
    const message = createMessage("u", "", 1, "m1", [photo]);
    expect(message).toEqual({
      id: "m1",
      author: "u",
      createdAt: 1,
      text: "",
      mentions: [],
      attachments: [photo],
    });
    expect(isMessageRecord(message)).toBe(true);
    expect(isMessageRecord({ ...message, attachments: [] })).toBe(false);
    expect(isMessageRecord({ ...message, attachments: [{ ...photo, name: "" }] })).toBe(false);
    expect(() => createMessage("u", "hi", 1, "m2", [photo, photo])).toThrow(/once/);
    // No attachments: the record has no attachments key at all (records stay lean).
    expect("attachments" in createMessage("u", "hi")).toBe(false);
  });

  it("keeps its files through an edit and hides them once deleted", () => {
    const doc = new Y.Doc();
    const message = createMessage("u", "see attached", 1, "m1", [photo]);
    appendMessage(doc, message);
    editMessage(doc, message, "u", "");
    expect(listMessages(doc)[0]).toMatchObject({ text: "", edited: true, attachments: [photo] });
    expect(isMessageEdit({ text: "", deleted: false, at: 1 }, message)).toBe(true);
    expect(isMessageEdit({ text: "", deleted: false, at: 1 })).toBe(false);
    const plain = createMessage("u", "text only", 2, "m2");
    appendMessage(doc, plain);
    expect(() => editMessage(doc, plain, "u", "")).toThrow(EditRejected);
    deleteMessage(doc, message, "u");
    const deleted = listMessages(doc).find((m) => m.id === "m1");
    expect(deleted?.deleted).toBe(true);
    expect(deleted && "attachments" in deleted).toBe(false);
  });
});
