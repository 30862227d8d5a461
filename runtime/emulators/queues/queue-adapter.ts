// The Queue service's HTTP adapter: route → what a SAS must allow → authorize → operation (authorization
// first, so an unauthenticated caller learns nothing about the queues).
import type { AccountRegistry } from '../storage/accounts.js';
import { authorize } from '../storage/authorize.js';
import type { AuthContext } from '../storage/authorize.js';
import type { OAuthLevel } from '../storage/oauth.js';
import type { GroupCommit } from '../storage/group-commit.js';
import { domainError } from '../storage/domain-error.js';
import { xmlError } from '../storage/error-body.js';
import type { AccessNeed } from '../storage/sas.js';
import { serviceStatsXml, mergeServiceProperties } from '../storage/service-properties.js';
import type { ServiceAdapter, StorageRequest, StorageResponse } from '../storage/storage-server.js';
import type { QueueEngine } from './queue-engine.js';
import { intParam, messageOp, messagesOp, queueOp } from './queue-ops.js';
import type { QueueEnv } from './queue-ops.js';
import { listQueuesXml } from './queue-xml.js';

/** A 64 KiB message, XML-escaped (up to 6 bytes per character for &quot;), plus the envelope. */
const MAX_BODY = 512 * 1024;
const XML = { 'Content-Type': 'application/xml' };

function need(resourceType: AccessNeed['resourceType'], accountPermissions: string, servicePermissions: string | null, resource?: string): AccessNeed {
  return { resourceType, accountPermissions, servicePermissions, ...(resource ? { resource } : {}) };
}

/** SAS needs per queue operation (account SAS letters; service SAS letters raup). */
function queueNeed(req: StorageRequest, name: string, rest: string[]): AccessNeed {
  const comp = req.query.get('comp');
  const read = req.method === 'GET' || req.method === 'HEAD';
  if (rest.length === 0) {
    // Get/Set Queue ACL: never through a SAS, account or service (the SAS permission tables list no letter for it).
    if (comp === 'acl') return need('c', '', null, name);
    if (comp === 'metadata') return need('c', read ? 'r' : 'w', read ? 'r' : null, name);
    return need('c', req.method === 'DELETE' ? 'd' : 'cw', null, name);
  }
  if (rest.length === 1) {
    if (req.method === 'POST') return need('o', 'a', 'a', name);
    if (req.method === 'DELETE') return need('o', 'd', 'p', name);
    return req.query.get('peekonly') === 'true' ? need('o', 'r', 'r', name) : need('o', 'p', 'p', name);
  }
  return req.method === 'DELETE' ? need('o', 'p', 'p', name) : need('o', 'u', 'u', name);
}

/**
 * The paths a queue URL without the account can have: the service root, `<queue>` (not with comp=list, which
 * only the root has) and `<queue>/messages[/<id>]`.
 */
function bareShape(path: string, url: string): boolean {
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.length === 1) return segments[0] === '' || !/[?&]comp=list(&|$)/.test(url);
  return segments.length <= 3 && segments[1] === 'messages';
}

export function createQueueAdapter(engine: QueueEngine, accounts: AccountRegistry, options: { oauth?: OAuthLevel; group?: GroupCommit } = {}): ServiceAdapter {
  const auth: AuthContext = {
    service: 'queue',
    accounts,
    ...(options.oauth ? { oauth: options.oauth } : {}),
    lookupPolicy: (account, queue, id) => {
      try {
        return engine.getAcl(account, queue).find((s) => s.id === id)?.policy;
      } catch {
        return undefined;
      }
    },
  };

  function service(env: QueueEnv, req: StorageRequest): StorageResponse {
    const comp = req.query.get('comp');
    const { target } = req;
    if (comp === 'list') {
      authorize(auth, req, target, need('s', 'l', null));
      const prefix = req.query.get('prefix') ?? '';
      const marker = req.query.get('marker') ?? '';
      const max = intParam(req.query, 'maxresults', 1, 5000, 5000);
      const page = engine.listQueues(env.account, prefix, marker, max);
      const pathStyle = !req.headers.host?.startsWith(`${target.account}.`);
      const endpoint = `${req.origin}/${pathStyle ? `${target.account}/` : ''}`;
      const withMetadata = (req.query.get('include') ?? '').includes('metadata');
      const body = listQueuesXml(endpoint, { prefix, marker, ...(req.query.has('maxresults') ? { max } : {}), withMetadata }, page.queues, page.next);
      return { status: 200, headers: XML, body };
    }
    if (req.query.get('restype') === 'service' && (comp === 'properties' || comp === 'stats')) {
      authorize(auth, req, target, need('s', req.method === 'PUT' ? 'w' : 'r', null));
      if (comp === 'stats') return { status: 200, headers: XML, body: serviceStatsXml() };
      if (req.method === 'PUT') {
        engine.setServiceProperties(env.account, mergeServiceProperties(engine.serviceProperties(env.account), req.body.toString()));
        return { status: 202 };
      }
      return { status: 200, headers: XML, body: engine.serviceProperties(env.account) };
    }
    throw domainError('InvalidQueryParameterValue', `Unsupported service request: ${req.method} ?${req.query.toString()}.`);
  }

  function handle(req: StorageRequest): StorageResponse {
    const env: QueueEnv = { engine, account: req.target.account, now: Date.now() };
    const segments = req.target.resourcePath.split('/').filter((s, i) => s !== '' || i === 0);
    const [name = '', ...rest] = segments;
    if (name === '') return service(env, req);
    if (rest.length > 2 || (rest.length >= 1 && rest[0] !== 'messages')) throw domainError('InvalidUri', `The requested URI does not represent any resource on the server: /${req.target.resourcePath}.`);
    authorize(auth, req, req.target, queueNeed(req, name, rest));
    if (rest.length === 0) return queueOp(env, req, name);
    if (rest.length === 1) return messagesOp(env, req, name);
    return messageOp(env, req, name, rest[1] as string);
  }

  return {
    name: 'queue',
    maxBodyBytes: MAX_BODY,
    handle,
    ...(options.group ? { group: options.group } : {}),
    serviceProperties: (account) => engine.serviceProperties(account),
    errorResponse: (error, req) => xmlError(error, req.requestId),
    bareShape,
  };
}
