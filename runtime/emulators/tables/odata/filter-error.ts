// The one error the $filter front end throws: Azure's InvalidInput, with the 1-based column of the problem so
// a user can find it in a long filter.
import { StorageDomainError } from '../../storage/domain-error.js';

export class FilterSyntaxError extends StorageDomainError {
  readonly position: number;

  constructor(message: string, position: number, filter: string) {
    super('InvalidInput', `Invalid $filter at position ${position + 1}: ${message}. Filter: ${filter.length > 200 ? filter.slice(0, 200) + '…' : filter}`);
    this.name = 'FilterSyntaxError';
    this.position = position;
  }
}
