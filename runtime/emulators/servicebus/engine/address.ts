// Entity addresses as clients write them: `q1`, `q1/$DeadLetterQueue`, `t1/Subscriptions/s1`,
// `t1/Subscriptions/s1/$DeadLetterQueue`, `…/$Transfer/$DeadLetterQueue`, `…/$management`. The service
// matches them case-insensitively; keys are the lower-cased entity path.

export interface ParsedAddress {
  /** Lower-case key of the queue, topic or subscription. */
  readonly key: string;
  /** The entity path as written (without the sub-queue suffix). */
  readonly path: string;
  readonly deadLetter: boolean;
  readonly management: boolean;
}

export function entityKey(path: string): string {
  return path.replace(/^\/+|\/+$/g, '').toLowerCase();
}

export function subscriptionKey(topic: string, subscription: string): string {
  return `${entityKey(topic)}/subscriptions/${subscription.toLowerCase()}`;
}

export function parseAddress(address: string): ParsedAddress {
  let path = address.replace(/^(?:amqps?|sb|https?):\/\/[^/]+/i, '').replace(/^\/+|\/+$/g, '');
  let deadLetter = false;
  let management = false;
  const lower = path.toLowerCase();
  if (lower.endsWith('/$management')) {
    management = true;
    path = path.slice(0, -'/$management'.length);
  } else if (lower.endsWith('/$transfer/$deadletterqueue')) {
    deadLetter = true;
    path = path.slice(0, -'/$transfer/$deadletterqueue'.length);
  } else if (lower.endsWith('/$deadletterqueue')) {
    deadLetter = true;
    path = path.slice(0, -'/$deadletterqueue'.length);
  }
  return { key: entityKey(path), path, deadLetter, management };
}
