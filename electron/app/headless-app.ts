/** Starts the app service and its loopback window server together (headless mode, tests). */
import { AppService, type AppServiceOptions } from './app-service';
import { startHeadlessServer, type HeadlessServer, type HeadlessServerOptions } from './headless-server';

export interface HeadlessApp {
  service: AppService;
  server: HeadlessServer;
  close(): Promise<void>;
}

export async function startHeadlessApp(
  options: AppServiceOptions & { ui?: HeadlessServerOptions },
): Promise<HeadlessApp> {
  const service = await AppService.start(options);
  let server: HeadlessServer;
  try {
    server = await startHeadlessServer(service, { log: options.log, ...options.ui });
  } catch (error) {
    await service.close();
    throw error;
  }
  return {
    service,
    server,
    close: async () => {
      await server.close();
      await service.close();
    },
  };
}
