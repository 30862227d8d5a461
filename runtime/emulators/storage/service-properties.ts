// Get/Set Service Properties and Get Service Stats: the emulators keep the XML a client sets (after checking
// it is well-formed and is a <StorageServiceProperties> document) and return it; nothing acts on logging,
// metrics or CORS rules. As in Azure, a Set replaces only the root elements it contains (a body with just
// <Cors> keeps Logging and the metrics as they were).
// https://learn.microsoft.com/rest/api/storageservices/set-table-service-properties
import { domainError } from './domain-error.js';
import { XML_DECL, escapeXml, parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

const RETENTION = '<RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>';

export const DEFAULT_SERVICE_PROPERTIES =
  `${XML_DECL}<StorageServiceProperties>` +
  `<Logging><Version>1.0</Version><Delete>false</Delete><Read>false</Read><Write>false</Write>${RETENTION}</Logging>` +
  `<HourMetrics><Version>1.0</Version><Enabled>false</Enabled>${RETENTION}</HourMetrics>` +
  `<MinuteMetrics><Version>1.0</Version><Enabled>false</Enabled>${RETENTION}</MinuteMetrics>` +
  '<Cors /></StorageServiceProperties>';

function parseProperties(xml: string): XmlElement {
  const root = parseXml(xml);
  if (root.name !== 'StorageServiceProperties') throw domainError('InvalidXmlDocument', `Expected <StorageServiceProperties>, found <${root.name}>.`);
  return root;
}

function toXml(node: XmlElement): string {
  const text = node.children.length > 0 ? '' : escapeXml(node.text.trim());
  if (node.children.length === 0 && text === '') return `<${node.name} />`;
  return `<${node.name}>${text}${node.children.map(toXml).join('')}</${node.name}>`;
}

/**
 * The service properties after a Set: `current` with each root element that `incoming` has replaced by the
 * incoming one (new ones appended). Throws InvalidXmlDocument when `incoming` is not a properties document.
 */
export function mergeServiceProperties(current: string, incoming: string): string {
  const update = parseProperties(incoming);
  const base = parseProperties(current);
  const replaced = new Map(update.children.map((c) => [c.name, c]));
  const merged = base.children.map((c) => replaced.get(c.name) ?? c);
  for (const c of update.children) if (!base.children.some((b) => b.name === c.name)) merged.push(c);
  return `${XML_DECL}<StorageServiceProperties>${merged.map(toXml).join('')}</StorageServiceProperties>`;
}

export function serviceStatsXml(): string {
  return `${XML_DECL}<StorageServiceStats><GeoReplication><Status>live</Status><LastSyncTime>${new Date().toUTCString()}</LastSyncTime></GeoReplication></StorageServiceStats>`;
}
