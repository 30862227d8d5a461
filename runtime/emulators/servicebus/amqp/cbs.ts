// Claims-based security (`$cbs`, AMQP CBS draft as Service Bus uses it): the client sends put-token on a
// link to `$cbs` before attaching entity links, and again before the token expires. The reply goes on the
// link named by reply_to with status-code 202 (accepted) or 401 (a SAS token that fails its signature).
import { checkSasToken, type SasKeys } from '../sas.js';

export interface CbsReply {
  readonly status: number;
  readonly description: string;
}

export function handlePutToken(request: Record<string, unknown>, keys: SasKeys, now: number): CbsReply {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  if (props.operation !== 'put-token') return { status: 400, description: `Unsupported $cbs operation '${String(props.operation)}'.` };
  const token = typeof request.body === 'string' ? request.body : Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
  if (props.type === 'jwt') return { status: 202, description: 'Accepted' };
  const result = checkSasToken(token, keys, now);
  return result.ok ? { status: 202, description: 'Accepted' } : { status: 401, description: `Unauthorized: ${result.reason}.` };
}
