import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@tthc/config';
import { ThrottleModule } from '@tthc/throttle';
import { AuthFailureThrottle } from './auth-failures';
import { AuthGuard } from './auth.guard';
import { KEY_RECORD_SIGNER, KeyRecordSigner } from './key-records';
import { AccessKeyDirectory } from './principal';

@Global()
@Module({
  imports: [ThrottleModule],
  providers: [
    AuthFailureThrottle,
    {
      provide: AccessKeyDirectory,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const directory = new AccessKeyDirectory(config.adminKeys);
        new Logger('AccessKeyDirectory').log(`admin keys: ${directory.adminKeyIds().join(', ')}`);
        return directory;
      },
    },
    {
      provide: KEY_RECORD_SIGNER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new KeyRecordSigner(config.keysSecrets),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccessKeyDirectory, KEY_RECORD_SIGNER],
})
export class AuthModule {}
