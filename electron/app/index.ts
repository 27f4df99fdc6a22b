/** The app service (plain Node): what the Electron shell and headless mode run behind the window. */
export { AppService, DEFAULT_LOW_SPACE_BYTES, type AppEvents, type AppServiceOptions } from './app-service';
export {
  startHeadlessServer,
  DEFAULT_UI_DIR,
  type HeadlessServer,
  type HeadlessServerOptions,
} from './headless-server';
export { startHeadlessApp, type HeadlessApp } from './headless-app';
export { osOpener, openerCommand, type Opener } from './opener';
export { dispatch } from './api-dispatch';
// What the shell needs of the receiver, through the app layer (the shell never reaches past it).
export { folderGiven, parseServeArgs, type ReceiverConfig } from '../receiver/config';
export type { ThumbnailAnswer } from './thumbnails';
