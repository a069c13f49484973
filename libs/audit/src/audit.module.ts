import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AUDIT_OPTIONS, AuditLog, type AuditOptions } from './audit-log';

/**
 * The audit log of a service: `<prefix>_audit`, the interceptor that fills it on every admin
 * action, and `GET /v1/admin/audit` (docs/security.md). Needs the service's ConfigModule,
 * AuthModule, ObservabilityModule and PersistenceModule.
 */
@Module({})
export class AuditModule {
  static forRoot(options: AuditOptions): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [
        { provide: AUDIT_OPTIONS, useValue: options },
        AuditLog,
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
      exports: [AuditLog],
    };
  }
}
