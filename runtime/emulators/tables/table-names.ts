// Table names: 3–63 characters, alphanumeric, starting with a letter; "tables" is reserved. Azure's metrics
// tables ($MetricsHourPrimaryTransactionsTable…) are the one exception to the character rule.
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#table-names
import { domainError } from '../storage/domain-error.js';

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const METRICS = /^\$Metrics[A-Za-z0-9]*$/;

export function checkTableName(name: string): void {
  if (name === '') throw domainError('InvalidInput', 'The table name is empty. TableName is required.');
  if (METRICS.test(name)) return;
  if (!NAME.test(name)) throw domainError('InvalidResourceName', `The specifed resource name contains invalid characters: "${name}". Table names are letters and digits and start with a letter.`);
  if (name.length < 3 || name.length > 63) throw domainError('OutOfRangeInput', `The table name "${name}" is ${name.length} characters long; table names have 3 to 63 characters.`);
  if (name.toLowerCase() === 'tables') throw domainError('InvalidResourceName', 'The table name "tables" is reserved.');
}
