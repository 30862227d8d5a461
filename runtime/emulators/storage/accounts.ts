// Storage accounts the emulators accept. The well-known development account is always there (it is what
// `UseDevelopmentStorage=true` expands to in every SDK); more come from the `accounts` option and from
// AZURITE_ACCOUNTS (`name:key1[:key2];name2:key`), Azurite's variable, so a set-up written for Azurite
// works unchanged. Unlike Azurite, naming extra accounts does not remove devstoreaccount1.
// https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key

export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AccountSpec {
  readonly name: string;
  readonly key: string;
}

/** Account name → its keys, decoded once (HMAC keys are the base64-decoded account keys). */
export class AccountRegistry {
  readonly #keys = new Map<string, Buffer[]>();

  constructor(specs: ReadonlyArray<AccountSpec>) {
    this.add(DEV_ACCOUNT, DEV_KEY);
    for (const spec of specs) this.add(spec.name, spec.key);
  }

  add(name: string, key: string): void {
    const keys = this.#keys.get(name) ?? [];
    keys.push(Buffer.from(key, 'base64'));
    this.#keys.set(name, keys);
  }

  has(name: string): boolean {
    return this.#keys.has(name);
  }

  keysOf(name: string): readonly Buffer[] {
    return this.#keys.get(name) ?? [];
  }

  /** The first key, base64, for connection strings. */
  primaryKey(name: string): string | undefined {
    return this.#keys.get(name)?.[0]?.toString('base64');
  }

  names(): string[] {
    return [...this.#keys.keys()];
  }
}

/** Parses AZURITE_ACCOUNTS; malformed entries are skipped (Azurite ignores them too). */
export function parseAccountsVariable(value: string | undefined): AccountSpec[] {
  if (!value) return [];
  const specs: AccountSpec[] = [];
  for (const entry of value.split(';')) {
    const [name, ...keys] = entry.trim().split(':');
    if (!name) continue;
    for (const key of keys) if (key) specs.push({ name, key });
  }
  return specs;
}
