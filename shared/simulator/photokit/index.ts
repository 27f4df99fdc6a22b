/**
 * The simulated PhotoKit background upload extension client (Node and browser). Node-only helpers
 * (an HTTP client that sees 104 and pins TLS, JSON file storage, the CLI) live in ./node.
 */
export * from './job-types';
export * from './job-store';
export * from './photos-error';
export * from './ios-surface';
export * from './url-error';
export * from './extension-types';
export * from './backup-extension';
export * from './ios27-extension';
export * from './failure-policy';
export * from './job-identity';
export * from './job-creation';
export * from './destination';
export * from './photo-library';
export * from './upload-ledger';
export * from './key-value-storage';
export * from './network-conditions';
export * from './random';
export * from './sim-clock';
export * from './timeline';
export * from './timeline-format';
export * from './http-client';
export * from './resumable-fields';
export * from './http-transport';
export * from './ws-transport';
export * from './transport-types';
export * from './background-uploader';
export * from './extension-view';
export * from './extension-host';
export * from './system';
export * from './simulation';
