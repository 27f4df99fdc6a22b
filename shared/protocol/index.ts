export * from './constants';
export * from './errors';
export * from './resumable-interop';
export * from './ws-messages';
export * from './chunk-frame';
export * from './http-messages';
export * from './photokit-wire';
