import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Connections, SOURCE_DB } from './connections.js';
import { SqlCatalog } from './sql-catalog.js';

@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Connections) private readonly connections: Connections) {}

  // attach: command-line tools share the embedded server of a service that is already running;
  // backendNice: a repair's process lowers its sessions' priority too (backend-priority.ts)
  static forRoot({ attach = false, backendNice }: { attach?: boolean; backendNice?: number } = {}): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: Connections, inject: [AppConfig], useFactory: (config: AppConfig) => Connections.open(config, { attach, backendNice }) },
        { provide: SOURCE_DB, inject: [Connections], useFactory: (connections: Connections) => connections.source },
        SqlCatalog,
      ],
      exports: [Connections, SOURCE_DB, SqlCatalog],
    };
  }

  // Runs after the HTTP server has finished its in-flight requests.
  async onApplicationShutdown(): Promise<void> {
    await this.connections.close();
  }
}
