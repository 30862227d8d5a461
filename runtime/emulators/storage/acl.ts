// Stored access policies (container ACLs) of tables and queues: the <SignedIdentifiers> XML both services use,
// at most five identifiers of at most 64 characters.
// https://learn.microsoft.com/rest/api/storageservices/set-table-acl
import { domainError } from './domain-error.js';
import type { AccessPolicy } from './sas.js';
import { XML_DECL, child, childText, el, parseXml } from './xml.js';

export interface SignedIdentifier {
  readonly id: string;
  readonly policy: AccessPolicy;
}

const MAX_IDENTIFIERS = 5;

export function parseAcl(xml: string, permissions: string): SignedIdentifier[] {
  if (xml.trim() === '') return [];
  const root = parseXml(xml);
  if (root.name !== 'SignedIdentifiers') throw domainError('InvalidXmlDocument', `Expected <SignedIdentifiers>, found <${root.name}>.`);
  const ids = root.children.filter((c) => c.name === 'SignedIdentifier');
  if (ids.length > MAX_IDENTIFIERS) throw domainError('InvalidXmlDocument', `At most ${MAX_IDENTIFIERS} signed identifiers are allowed, got ${ids.length}.`);
  return ids.map((node) => {
    const id = childText(node, 'Id') ?? '';
    if (id === '' || id.length > 64) throw domainError('InvalidXmlDocument', `A signed identifier Id must be 1 to 64 characters, got "${id}".`);
    const policyNode = child(node, 'AccessPolicy');
    const permission = policyNode ? childText(policyNode, 'Permission') : undefined;
    if (permission !== undefined && ![...permission].every((c) => permissions.includes(c))) {
      throw domainError('InvalidXmlDocument', `Permission "${permission}" has letters outside "${permissions}".`);
    }
    const policy: AccessPolicy = policyNode
      ? { start: childText(policyNode, 'Start') || undefined, expiry: childText(policyNode, 'Expiry') || undefined, permission: permission || undefined }
      : {};
    return { id, policy };
  });
}

export function aclXml(ids: readonly SignedIdentifier[]): string {
  const items = ids.map(({ id, policy }) => {
    const parts = [policy.start && el('Start', policy.start), policy.expiry && el('Expiry', policy.expiry), policy.permission && el('Permission', policy.permission)];
    return `<SignedIdentifier>${el('Id', id)}<AccessPolicy>${parts.filter(Boolean).join('')}</AccessPolicy></SignedIdentifier>`;
  });
  return `${XML_DECL}<SignedIdentifiers>${items.join('')}</SignedIdentifiers>`;
}
