// The Table service's HTTP adapter: route → what a SAS must allow → authorize → operation. Order matters:
// authorization runs before anything reads the body or the store, so an unauthenticated caller learns
// nothing (not even whether a table exists).
import type { AccountRegistry } from '../storage/accounts.js';
import { authorize } from '../storage/authorize.js';
import type { AuthContext } from '../storage/authorize.js';
import { domainError } from '../storage/domain-error.js';
import { tableError, xmlError } from '../storage/error-body.js';
import type { OAuthLevel } from '../storage/oauth.js';
import type { GroupCommit } from '../storage/group-commit.js';
import type { AccessNeed, KeyRange } from '../storage/sas.js';
import type { ServiceAdapter, StorageRequest, StorageResponse } from '../storage/storage-server.js';
import { runBatch } from './batch-ops.js';
import { entityNeed, runEntityOp } from './entity-ops.js';
import type { EntityOp, TableEnv } from './entity-ops.js';
import { parseEntityAddress } from './keys.js';
import type { TableEngine } from './table-engine.js';
import { aclOp, createTableOp, listTablesOp, serviceOp, tableByNameOp } from './table-ops.js';

/** 4 MiB is Azure's batch limit; single entities are at most 1 MiB of data, well inside it. */
const MAX_BODY = 4 * 1024 * 1024;
const TABLES_BY_NAME = /^Tables\('(.+)'\)$/;

function need(resourceType: AccessNeed['resourceType'], accountPermissions: string, resource?: string): AccessNeed {
  return { resourceType, accountPermissions, servicePermissions: null, ...(resource ? { resource } : {}) };
}

function methodOf(req: StorageRequest): string {
  const override = req.headers['x-http-method'];
  const method = req.method === 'POST' && typeof override === 'string' ? override.toUpperCase() : req.method;
  // @azure/data-tables sends merges as PATCH; the REST reference names the verb MERGE. Same operation.
  return method === 'PATCH' ? 'MERGE' : method;
}

export function createTableAdapter(engine: TableEngine, accounts: AccountRegistry, options: { oauth?: OAuthLevel; group?: GroupCommit } = {}): ServiceAdapter {
  const auth: AuthContext = {
    service: 'table',
    accounts,
    ...(options.oauth ? { oauth: options.oauth } : {}),
    lookupPolicy: (account, table, id) => {
      try {
        return engine.getAcl(account, table).find((s) => s.id === id)?.policy;
      } catch {
        return undefined;
      }
    },
  };

  function handle(req: StorageRequest): StorageResponse {
    const { target } = req;
    const pathStyle = target.rawPath.startsWith(`/${target.account}`) && !req.headers.host?.startsWith(`${target.account}.`);
    const env: TableEnv = { engine, account: target.account, base: pathStyle ? `${req.origin}/${target.account}` : req.origin };
    // A batch asks once per operation. A SharedKey signature, once verified, allows everything the request
    // does, so it is checked once (a batch of 100 computed the same HMACs 100 times); a SAS is checked per need.
    let signed = false;
    const allow = (n: AccessNeed): KeyRange | undefined => {
      if (signed) return undefined;
      const range = authorize(auth, req, target, n);
      signed = typeof req.headers.authorization === 'string' && req.headers.authorization !== '';
      return range;
    };
    // One trailing slash is ignored (`/Tables/`, `/mytable()/`), as Azurite ignores it: REST clients that join
    // paths add it (Azurite's own REST tests send `/Tables/?<sas>`).
    const path = target.resourcePath.endsWith('/') ? target.resourcePath.slice(0, -1) : target.resourcePath;
    const method = methodOf(req);

    if (path === '' && req.query.get('restype') === 'service') {
      allow(need('s', method === 'GET' ? 'r' : 'w'));
      return serviceOp(env, req);
    }
    if (path === 'Tables' || path === 'Tables()') {
      if (method === 'GET') return allow(need('c', 'l')), listTablesOp(env, req);
      if (method === 'POST') return allow(need('c', 'acw')), createTableOp(env, req);
    }
    const byName = TABLES_BY_NAME.exec(path);
    if (byName) {
      allow(need('c', method === 'DELETE' ? 'd' : 'l'));
      return tableByNameOp(env, req, (byName[1] as string).replace(/''/g, "'"));
    }
    if (path === '$batch' && method === 'POST') {
      const batch = runBatch({
        env,
        requestId: req.requestId,
        contentType: String(req.headers['content-type'] ?? ''),
        body: req.body.toString(),
        headers: req.headers,
        authorize: allow,
      });
      return { status: 202, headers: { 'Content-Type': batch.contentType }, body: batch.body };
    }
    if (req.query.get('comp') === 'acl' && !path.includes('(')) {
      // Get/Set Table ACL: never through a SAS (the account SAS permission table has no letter for it).
      allow(need('c', '', path));
      return aclOp(env, req, path);
    }
    const address = parseEntityAddress(path);
    if (!address || address.table === '' || address.table.includes('/')) {
      throw domainError('InvalidUri', `The requested URI does not represent any resource on the server: /${path}.`);
    }
    const op: EntityOp = { method, table: address.table, ...(address.keys ? { keys: address.keys } : {}), headers: req.headers, query: req.query, body: req.body };
    const range = allow(entityNeed(op));
    const result = runEntityOp(env, op, range);
    return { status: result.status, headers: result.headers, body: result.body };
  }

  return {
    name: 'table',
    maxBodyBytes: MAX_BODY,
    handle,
    ...(options.group ? { group: options.group } : {}),
    serviceProperties: (account) => engine.serviceProperties(account),
    // One segment: Tables, Tables('t'), t(), t(PartitionKey=…), $batch, t?comp=acl, or the service root.
    bareShape: (path) => !path.replace(/\/$/, '').includes('/'),
    // Service properties/stats (?restype=service) and table ACLs (?comp=acl) speak the storage services' XML,
    // errors included (<Error><Code>…); the rest is OData (JSON, or OData XML on request).
    errorResponse: (error, req) => (/[?&](restype=service|comp=acl)(&|$)/.test(req.url) && !String(req.headers.accept ?? '').includes('json') ? xmlError(error, req.requestId) : tableError(error, req.requestId, req.headers)),
  };
}
