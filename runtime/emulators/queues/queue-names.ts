// Queue names: 3–63 characters of lower-case letters, digits and single hyphens, starting and ending with a
// letter or digit. https://learn.microsoft.com/rest/api/storageservices/naming-queues-and-metadata
import { domainError } from '../storage/domain-error.js';

const NAME = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export function checkQueueName(name: string): void {
  if (name.length < 3 || name.length > 63) throw domainError('OutOfRangeInput', `The specified resource name length is not within the permissible limits. The queue name "${name}" is ${name.length} characters long; queue names have 3 to 63 characters.`);
  if (!NAME.test(name)) throw domainError('InvalidResourceName', `The specified resource name contains invalid characters. The queue name "${name}" is not valid: use lower-case letters, digits and single hyphens, starting and ending with a letter or digit.`);
}
