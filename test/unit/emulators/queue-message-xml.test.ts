// Put/Update Message bodies: the plain shape every client sends is read without the XML parser, and must read
// exactly as the parser reads it; anything else goes through the parser and its errors.
import { describe, expect, it } from 'vitest';
import { parseMessageText, plainMessageText } from '../../../runtime/emulators/queues/queue-xml.js';
import { parseXml, childText } from '../../../runtime/emulators/storage/xml.js';

/** What the full parser makes of a body (the reference), or the error code it throws. */
function parsed(body: string): string {
  try {
    const root = parseXml(body);
    if (root.name !== 'QueueMessage') return 'error:InvalidXmlDocument';
    return childText(root, 'MessageText') ?? 'error:InvalidXmlDocument';
  } catch (error) {
    return `error:${(error as { code?: string }).code ?? 'thrown'}`;
  }
}
function read(body: string): string {
  try {
    return parseMessageText(body);
  } catch (error) {
    return `error:${(error as { code?: string }).code ?? 'thrown'}`;
  }
}

const texts = ['hello', '', 'aGVsbG8gd29ybGQ=', 'a > b', "it's \"quoted\"", 'tab\there\nnewline', 'a]b', 'a]]>b', 'caf\u00e9', '&amp;', 'x &lt; y', 'cr\r\nlf', '\u00a0nbsp', 'bad\u0001char', '<b>bold</b>', '<![CDATA[raw <data>]]>', '&#x41;'];
const wrappers: Array<(t: string) => string> = [
  (t) => `<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => `<QueueMessage>\n  <MessageText>${t}</MessageText>\n</QueueMessage>\n`,
  (t) => `<?xml version='1.0'?>\r\n<QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => `<?xml version="2.0"?><QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => ` <?xml version="1.0"?><QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => `\ufeff<QueueMessage><MessageText>${t}</MessageText></QueueMessage>`,
  (t) => `<QueueMessage><MessageText>${t}</MessageText></QueueMessage>\u00a0`,
  (t) => `<QueueMessage><MessageText>${t}</MessageText></QueueMessage><extra/>`,
  (t) => `<QueueMessage><MessageText>${t}</MessageText>`,
  (t) => `<Message><MessageText>${t}</MessageText></Message>`,
];

describe('Put Message body', () => {
  it('reads every body as the XML parser does', () => {
    for (const wrap of wrappers) for (const text of texts) {
      const body = wrap(text);
      expect(read(body), JSON.stringify(body)).toBe(parsed(body));
    }
  });

  it('takes the plain shape the SDKs send without the parser, and nothing it would read differently', () => {
    let plain = 0;
    for (const wrap of wrappers) for (const text of texts) {
      const body = wrap(text);
      const fast = plainMessageText(body);
      if (fast === undefined) continue;
      plain += 1;
      expect(fast, JSON.stringify(body)).toBe(parsed(body));
    }
    // The SDKs' own bodies: @azure/storage-queue, azure-storage, and the azure package's queue client.
    for (const body of [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><QueueMessage><MessageText>aGVsbG8=</MessageText></QueueMessage>',
      '<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>hello world</MessageText></QueueMessage>',
      '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<QueueMessage>\n  <MessageText>hello</MessageText>\n</QueueMessage>',
    ]) expect(plainMessageText(body), body).toBeDefined();
    expect(plain).toBeGreaterThan(20);
  });

  it('reads the plain shape, and refuses what is not XML', () => {
    expect(read('<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>hello</MessageText></QueueMessage>')).toBe('hello');
    expect(read('<QueueMessage><MessageText>a &amp; b</MessageText></QueueMessage>')).toBe('a & b');
    expect(read('<QueueMessage><MessageText>a & b</MessageText></QueueMessage>')).toBe('error:InvalidXmlDocument');
    expect(read('<QueueMessage><Other/></QueueMessage>')).toBe('error:InvalidXmlDocument');
  });
});
