/** GET /v1/trust/ca.cer and /v1/trust/profile.mobileconfig: what a phone installs to trust this receiver. */
import type { ServerResponse } from 'node:http';
import { ShoeboxError } from '../../../shared/protocol';
import type { TlsIdentity } from '../trust/tls-identity';
import {
  buildCaMobileconfig,
  CA_CER_CONTENT_TYPE,
  CA_CER_PATH,
  MOBILECONFIG_CONTENT_TYPE,
  MOBILECONFIG_PATH,
} from '../trust';

export { CA_CER_PATH, MOBILECONFIG_PATH };

function sendBytes(res: ServerResponse, type: string, body: Uint8Array | string, filename: string): void {
  res.writeHead(200, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Answers a trust download; returns false for other paths. */
export function handleTrust(
  method: string | undefined,
  pathname: string,
  res: ServerResponse,
  identity: TlsIdentity | undefined,
  receiverName: string,
): boolean {
  if (method !== 'GET' || (pathname !== CA_CER_PATH && pathname !== MOBILECONFIG_PATH)) return false;
  if (!identity)
    throw new ShoeboxError('NOT_FOUND', 'TLS is off on this receiver (--no-tls): there is no certificate to trust.');
  const { caCertDer } = identity.current;
  if (pathname === CA_CER_PATH) sendBytes(res, CA_CER_CONTENT_TYPE, caCertDer, 'Shoebox-CA.cer');
  else
    sendBytes(res, MOBILECONFIG_CONTENT_TYPE, buildCaMobileconfig({ caCertDer, receiverName }), 'Shoebox.mobileconfig');
  return true;
}
