/**
 * The iOS configuration profile that installs the install's CA as a trusted root
 * (PayloadType com.apple.security.root), served at GET /v1/trust/profile.mobileconfig, and the
 * bare CA served at GET /v1/trust/ca.cer. The profile is unsigned: iOS shows it as "Not Verified",
 * which is expected for a local CA. After installing it the user must still turn on full trust in
 * Settings > General > About > Certificate Trust Settings for TLS to accept it.
 */
import { createHash } from 'node:crypto';

export const MOBILECONFIG_PATH = '/v1/trust/profile.mobileconfig';
export const MOBILECONFIG_CONTENT_TYPE = 'application/x-apple-aspen-config';
export const CA_CER_PATH = '/v1/trust/ca.cer';
export const CA_CER_CONTENT_TYPE = 'application/pkix-cert';

export interface MobileconfigOptions {
  /** The CA certificate, DER. */
  caCertDer: Uint8Array;
  /** The receiver's display name: the profile reads "Shoebox on <name>". */
  receiverName: string;
}

/** A UUID derived from the CA and a label (RFC 9562 version 8: custom, here SHA-256 based). */
export function stableUuid(caCertDer: Uint8Array, label: string): string {
  const h = createHash('sha256').update(`shoebox-profile:${label}:`).update(caCertDer).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function base64Lines(der: Uint8Array, indent: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return (b64.match(/.{1,64}/g) ?? []).map((line) => `${indent}${line}`).join('\n');
}

/** The profile as XML plist text; serve it with MOBILECONFIG_CONTENT_TYPE. */
export function buildCaMobileconfig(options: MobileconfigOptions): string {
  const { caCertDer } = options;
  if (caCertDer.length === 0) throw new Error('The CA certificate is empty');
  const name = options.receiverName.trim() || 'this computer';
  const display = escapeXml(`Shoebox on ${name}`);
  const tag = createHash('sha256').update(caCertDer).digest('hex').slice(0, 16);
  const description =
    `Installs the certificate authority of the Shoebox receiver on ${escapeXml(name)}, ` +
    'so this device can back up photos to it over HTTPS.';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>PayloadContent</key>
\t<array>
\t\t<dict>
\t\t\t<key>PayloadCertificateFileName</key>
\t\t\t<string>shoebox-ca-${tag}.cer</string>
\t\t\t<key>PayloadContent</key>
\t\t\t<data>
${base64Lines(caCertDer, '\t\t\t')}
\t\t\t</data>
\t\t\t<key>PayloadDescription</key>
\t\t\t<string>Lets this device trust the Shoebox receiver's TLS certificates.</string>
\t\t\t<key>PayloadDisplayName</key>
\t\t\t<string>${display} (certificate authority)</string>
\t\t\t<key>PayloadIdentifier</key>
\t\t\t<string>app.shoebox.trust.${tag}.ca</string>
\t\t\t<key>PayloadType</key>
\t\t\t<string>com.apple.security.root</string>
\t\t\t<key>PayloadUUID</key>
\t\t\t<string>${stableUuid(caCertDer, 'root')}</string>
\t\t\t<key>PayloadVersion</key>
\t\t\t<integer>1</integer>
\t\t</dict>
\t</array>
\t<key>PayloadDescription</key>
\t<string>${description}</string>
\t<key>PayloadDisplayName</key>
\t<string>${display}</string>
\t<key>PayloadIdentifier</key>
\t<string>app.shoebox.trust.${tag}</string>
\t<key>PayloadOrganization</key>
\t<string>Shoebox</string>
\t<key>PayloadRemovalDisallowed</key>
\t<false/>
\t<key>PayloadType</key>
\t<string>Configuration</string>
\t<key>PayloadUUID</key>
\t<string>${stableUuid(caCertDer, 'profile')}</string>
\t<key>PayloadVersion</key>
\t<integer>1</integer>
</dict>
</plist>
`;
}
