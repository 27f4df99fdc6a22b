/** The app API contract: schemas, commands and events, wire formats of both adapters. */
export * from './schemas';
export * from './contract';
export * from './wire';
export * from './bridge';
