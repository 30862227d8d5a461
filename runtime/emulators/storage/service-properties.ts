// Get/Set Service Properties and Get Service Stats: the emulators keep the XML a client sets (after checking
// it is well-formed and is a <StorageServiceProperties> document) and return it; nothing acts on logging,
// metrics or CORS rules. https://learn.microsoft.com/rest/api/storageservices/set-table-service-properties
import { domainError } from './domain-error.js';
import { XML_DECL, parseXml } from './xml.js';

const RETENTION = '<RetentionPolicy><Enabled>false</Enabled></RetentionPolicy>';

export const DEFAULT_SERVICE_PROPERTIES =
  `${XML_DECL}<StorageServiceProperties>` +
  `<Logging><Version>1.0</Version><Delete>false</Delete><Read>false</Read><Write>false</Write>${RETENTION}</Logging>` +
  `<HourMetrics><Version>1.0</Version><Enabled>false</Enabled>${RETENTION}</HourMetrics>` +
  `<MinuteMetrics><Version>1.0</Version><Enabled>false</Enabled>${RETENTION}</MinuteMetrics>` +
  '<Cors /></StorageServiceProperties>';

export function validateServiceProperties(xml: string): string {
  const root = parseXml(xml);
  if (root.name !== 'StorageServiceProperties') throw domainError('InvalidXmlDocument', `Expected <StorageServiceProperties>, found <${root.name}>.`);
  return xml.trim().startsWith('<?xml') ? xml : XML_DECL + xml;
}

export function serviceStatsXml(): string {
  return `${XML_DECL}<StorageServiceStats><GeoReplication><Status>live</Status><LastSyncTime>${new Date().toUTCString()}</LastSyncTime></GeoReplication></StorageServiceStats>`;
}
