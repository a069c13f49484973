import { Global, Module } from '@nestjs/common';
import { ThrottleService } from './throttle.service';

/** Shared token buckets in Redis (`ThrottleService`); imported by `AuthModule`, so every service has it. */
@Global()
@Module({ providers: [ThrottleService], exports: [ThrottleService] })
export class ThrottleModule {}
