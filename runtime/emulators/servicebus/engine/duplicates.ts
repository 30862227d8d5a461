// Duplicate detection (https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection): within
// DuplicateDetectionHistoryTimeWindow, a second message with the same MessageId is accepted and dropped.
// History is kept in insertion order so pruning the expired front is O(1) per entry. It is not persisted:
// after a restart the window starts empty (a documented difference).

export class DuplicateHistory {
  readonly #seen = new Map<string, number>();

  /** True when `messageId` was seen within the window (the message must be dropped); records it otherwise. */
  check(messageId: string, now: number, windowMs: number): boolean {
    for (const [id, at] of this.#seen) {
      if (at + windowMs > now) break;
      this.#seen.delete(id);
    }
    const at = this.#seen.get(messageId);
    if (at !== undefined && at + windowMs > now) return true;
    this.#seen.delete(messageId);
    this.#seen.set(messageId, now);
    return false;
  }
}
