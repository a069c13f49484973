import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ThrottleModule } from '@tthc/throttle';
import { AuthFailureThrottle } from './auth-failures';
import { AuthGuard } from './auth.guard';
import { AccessKeyDirectory } from './principal';

@Global()
@Module({
  imports: [ThrottleModule],
  providers: [
    AuthFailureThrottle,
    {
      provide: AccessKeyDirectory,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new AccessKeyDirectory(config.adminKey),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccessKeyDirectory],
})
export class AuthModule {}
