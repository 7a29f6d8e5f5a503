import { type MessageView, parseMentions } from "@chat/model";

/**
 * The messages with `mentions` read from their text (model `parseMentions`), not taken from the list
 * the sender's client stored beside it: who gets added to a room and who counts a mention follows
 * what the message says. The write rules refuse a list that disagrees with the text (rules.ts), so
 * this only matters for documents written before they did; lines about the room mention nobody.
 */
export function withMentionsFromText<T extends MessageView>(messages: readonly T[]): T[] {
  return messages.map((message) => ({
    ...message,
    mentions: message.deleted || message.event !== undefined ? [] : parseMentions(message.text),
  }));
}
