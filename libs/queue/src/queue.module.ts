import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QUEUE_OPTIONS, QueueService, type QueueModuleOptions } from './queue.service';

@Global()
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    return {
      module: QueueModule,
      imports: [DiscoveryModule],
      providers: [{ provide: QUEUE_OPTIONS, useValue: options }, QueueService],
      exports: [QueueService],
    };
  }
}
