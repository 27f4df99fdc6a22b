/**
 * The tray icon: its picture follows the service (idle, receiving, attention), its tooltip and first
 * menu line say what is happening, its menu offers the few things one does from the tray.
 */
import type { AppStatus, QueueSnapshot } from '../../shared/app-api/schemas';
import type { MenuItemTemplate, TrayLike } from './electron-like';
import { trayView, type TrayState, type TrayView } from './wording';

export interface TrayActions {
  open(): void;
  pair(): void;
  openFolder(): void;
  changeFolder(): void;
  quit(): void;
}

export interface TrayControllerOptions<Image, Menu> {
  createTray(image: Image): TrayLike<Image, Menu>;
  buildMenu(template: MenuItemTemplate[]): Menu;
  image(state: TrayState): Image;
  actions: TrayActions;
  platform: NodeJS.Platform;
}

/** File of a tray picture (build/tray/, copied next to the shell bundle). macOS takes monochrome "Template" images. */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}

export function trayMenu(view: TrayView, actions: TrayActions): MenuItemTemplate[] {
  return [
    { label: view.statusLine, enabled: false },
    { type: 'separator' },
    { label: 'Open Shoebox', click: () => actions.open() },
    { label: 'Pair an iPhone…', click: () => actions.pair() },
    { type: 'separator' },
    { label: 'Open Backup Folder', click: () => actions.openFolder() },
    { label: 'Change Backup Folder…', click: () => actions.changeFolder() },
    { type: 'separator' },
    { label: 'Quit Shoebox', click: () => actions.quit() },
  ];
}

export class TrayController<Image, Menu> {
  private readonly tray: TrayLike<Image, Menu>;
  private statusNow: AppStatus | null = null;
  private queueNow: QueueSnapshot | null = null;
  private shown: TrayView | null = null;
  private destroyed = false;

  constructor(private readonly options: TrayControllerOptions<Image, Menu>) {
    this.tray = options.createTray(options.image('idle'));
    // macOS opens the menu on click; elsewhere a click opens the window and the menu is on right-click.
    if (options.platform !== 'darwin') this.tray.on('click', () => options.actions.open());
    this.render();
  }

  get view(): TrayView {
    return this.shown ?? trayView(null, null);
  }

  status(status: AppStatus): void {
    this.statusNow = status;
    this.render();
  }

  queue(queue: QueueSnapshot): void {
    this.queueNow = queue;
    this.render();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.tray.destroy();
  }

  private render(): void {
    if (this.destroyed) return;
    const view = trayView(this.statusNow, this.queueNow);
    const before = this.shown;
    this.shown = view;
    if (before?.state !== view.state) this.tray.setImage(this.options.image(view.state));
    if (before?.tooltip !== view.tooltip) this.tray.setToolTip(view.tooltip);
    if (before?.statusLine !== view.statusLine)
      this.tray.setContextMenu(this.options.buildMenu(trayMenu(view, this.options.actions)));
  }
}
