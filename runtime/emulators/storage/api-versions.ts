// The Azure Storage service versions (x-ms-version values) Azure has released, from "Versioning for Azure
// Storage" and "Previous Azure Storage service versions" on learn.microsoft.com (up to 2026-06-06, which the
// June 2026 page lists; @azure/storage-queue 12.30 sends 2026-04-06). By default the emulators accept
// any x-ms-version, including ones newer than they know (answered with baseline behaviour): a newer SDK then
// works on the day it ships, where Azurite answers 400 until it is upgraded (its most frequent complaint).
// `strictApiVersion` (--strict-api-version) turns the check on for conformance testing: a value outside this
// list is refused as Azure refuses one, 400 InvalidHeaderValue naming the header.
import { StorageDomainError } from './domain-error.js';

export const SERVICE_VERSIONS: readonly string[] = [
  '2009-04-14', '2009-07-17', '2009-09-19', '2011-08-18', '2012-02-12', '2013-08-15', '2014-02-14', '2015-02-21',
  '2015-04-05', '2015-07-08', '2015-12-11', '2016-05-31', '2017-04-17', '2017-07-29', '2017-11-09', '2018-03-28',
  '2018-11-09', '2019-02-02', '2019-07-07', '2019-10-10', '2019-12-12', '2020-02-10', '2020-04-08', '2020-06-12',
  '2020-08-04', '2020-10-02', '2020-12-06', '2021-02-12', '2021-04-10', '2021-06-08', '2021-08-06', '2021-10-04',
  '2021-12-02', '2022-11-02', '2023-01-03', '2023-08-03', '2023-11-03', '2024-02-04', '2024-05-04', '2024-08-04',
  '2024-11-04', '2025-01-05', '2025-05-05', '2025-07-05', '2025-11-05', '2026-02-06', '2026-04-06', '2026-06-06',
];

const KNOWN = new Set(SERVICE_VERSIONS);

/**
 * In strict mode, the error for a request whose x-ms-version is not a known service version (undefined when it is
 * one, or when the request names none: anonymous and SAS requests may omit it).
 */
export function checkApiVersion(value: string | string[] | undefined): StorageDomainError | undefined {
  if (value === undefined) return undefined;
  const version = Array.isArray(value) ? value.join(',') : value;
  if (KNOWN.has(version)) return undefined;
  const error = new StorageDomainError(
    'InvalidHeaderValue',
    `The value for one of the HTTP headers is not in the correct format. x-ms-version "${version}" is not an Azure Storage service version this emulator knows (${SERVICE_VERSIONS[0]} to ${SERVICE_VERSIONS[SERVICE_VERSIONS.length - 1]}); it runs with --strict-api-version, without which any version is accepted.`,
  );
  error.details = { HeaderName: 'x-ms-version', HeaderValue: version };
  return error;
}

/**
 * Whether a request names a service version before 2013-08-15, the first with JSON for tables: such a
 * request gets Atom (and OData XML errors) unless its Accept asks for JSON.
 */
export function versionBeforeJson(value: string | string[] | undefined): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && value < '2013-08-15';
}
